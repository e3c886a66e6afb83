"""The audit log page: an administrator reads the whole log, newest first, and can narrow it by
the kind of event; nobody else gets a single event from the selector behind it, whatever page
calls it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import Role
from audit.selectors import audit_event_list_for_user
from audit.services import audit_event_record

from .conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(organisation, member):
    """An administrator, a training lead of the same organisation, and four events."""
    administrator = member(Role.ADMINISTRATOR, organisation)
    lead = member(Role.TRAINING_LEAD, organisation)
    for verb, summary in [
        ("signoff.opened", "first sign-off opened"),
        ("document.requested", "a document requested"),
        ("signoff.signed", "second sign-off signed"),
        ("signoffer.invented", "a verb that only starts like sign-off"),
    ]:
        audit_event_record(actor=lead, verb=verb, subject=organisation, summary=summary)
    return administrator, lead


def test_an_administrator_reads_every_event_newest_first(logged, client):
    administrator, _ = logged

    events = list(audit_event_list_for_user(user=administrator))

    summaries = [event.summary for event in events]
    assert summaries[:4] == [
        "a verb that only starts like sign-off",
        "second sign-off signed",
        "a document requested",
        "first sign-off opened",
    ]
    assert [event.sequence for event in events] == sorted(
        (event.sequence for event in events), reverse=True
    )
    page = sign_in(client, administrator).get(reverse("audit:event_list"))
    assert page.status_code == 200
    assert "second sign-off signed" in page.content.decode()


def test_the_log_narrows_to_verbs_that_start_with_what_is_asked(logged, client):
    administrator, _ = logged

    narrowed = audit_event_list_for_user(user=administrator, verb_prefix="signoff.")

    assert [event.summary for event in narrowed] == [
        "second sign-off signed",
        "first sign-off opened",
    ]
    page = sign_in(client, administrator).get(reverse("audit:event_list"), {"verb": "document"})
    shown = page.content.decode()
    assert "a document requested" in shown and "first sign-off opened" not in shown


@pytest.mark.parametrize("who", ["training lead", "signed out"])
def test_nobody_else_gets_a_single_event(logged, who):
    _, lead = logged
    user = lead if who == "training lead" else AnonymousUser()

    assert not audit_event_list_for_user(user=user).exists()
    assert not audit_event_list_for_user(user=user, verb_prefix="signoff").exists()
