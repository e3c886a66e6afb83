"""What one audit event records, field by field, and what an edit's commitments commit to
(issue 19: mutation testing found the recorded actor, subject, request id, truncation, data
normalisation, the commitments' text and the log's first link each unguarded: the chain tests
check that events hold together, not what each one says)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Organisation
from audit.context import current_request_id
from audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from audit.services import audit_chain_verify, audit_commitments, audit_event_record
from privacy.commitments import text_commitment

from .factories import OrganisationFactory, make_user
from .test_audit_chain import _raw

pytestmark = pytest.mark.django_db


def test_an_event_names_its_actor_and_subject_in_the_systems_own_words():
    person = make_user(full_name="Dr Ada Reviewer", email="ada@example.org")
    subject = make_user(full_name="Dr Sam Subject")
    event = audit_event_record(
        actor=person, verb="test.named", summary="About a person", subject=subject
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor, event.actor_label) == (person, "Dr Ada Reviewer <ada@example.org>")
    assert (event.object_type, event.object_id) == ("accounts.user", str(subject.pk))
    assert event.object_repr == subject.audit_reference() == "Dr Sam Subject"


def test_a_subject_without_a_reference_of_its_own_is_named_by_kind_and_number():
    organisation = OrganisationFactory(name="Words Someone Typed NHS Trust")
    event = audit_event_record(actor=None, verb="test.kind", summary="s", subject=organisation)
    assert event.object_repr == f"organisation {organisation.pk}"
    assert "Words Someone Typed" not in event.object_repr


def test_no_actor_and_no_subject_leave_those_fields_empty():
    for actor in (None, AnonymousUser()):
        event = audit_event_record(actor=actor, verb="test.nobody", summary="s")
        event = AuditEvent.objects.get(pk=event.pk)
        assert event.actor is None
        assert (event.actor_label, event.object_type, event.object_id, event.object_repr) == (
            "",
            "",
            "",
            "",
        )


def test_long_text_is_cut_to_its_column_and_the_request_is_named():
    organisation = Organisation(pk=424242, name="x")
    organisation.audit_reference = lambda: "r" * 400  # a long one
    token = current_request_id.set("req-0123456789")
    try:
        event = audit_event_record(
            actor=None, verb="test.long", summary="s" * 600, subject=organisation
        )
    finally:
        current_request_id.reset(token)
    event = AuditEvent.objects.get(pk=event.pk)
    assert (len(event.summary), len(event.object_repr)) == (500, 300)
    assert event.request_id == "req-0123456789"


def test_data_is_stored_as_the_json_it_is_read_back_as_and_still_verifies():
    event = audit_event_record(
        actor=None,
        verb="test.data",
        summary="s",
        data={"day": date(2026, 12, 5), "hours": Decimal("2.5"), "list": [1, "a"]},
    )
    assert AuditEvent.objects.get(pk=event.pk).data == {
        "day": "2026-12-05",
        "hours": "2.5",
        "list": [1, "a"],
    }
    assert audit_chain_verify().intact


def test_an_edits_commitments_are_to_each_values_plain_text():
    organisation = OrganisationFactory()
    when = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    values = {
        "nothing": None,
        "organisation": organisation,
        "day": date(2026, 12, 5),
        "moment": when,
        "listed": ["b", date(2026, 1, 2)],
        "mapping": {"z": 1, "a": 2},
        "number": 7,
    }
    assert audit_commitments(values) == {
        "day": text_commitment("2026-12-05"),
        "listed": text_commitment('["b", "2026-01-02"]'),
        "mapping": text_commitment('{"a": 2, "z": 1}'),
        "moment": text_commitment("2026-12-05T09:30:00+00:00"),
        "nothing": text_commitment(""),
        "number": text_commitment("7"),
        "organisation": text_commitment(str(organisation.pk)),
    }


def test_a_log_emptied_to_its_start_begins_again_at_event_one():
    """A test database emptied between tests (and a restore onto an empty database) has no head
    row: the first event then starts the chain from the genesis hash."""
    _raw("DELETE FROM audit_auditevent")
    AuditChainHead.objects.all().delete()
    first = audit_event_record(actor=None, verb="test.first", summary="first")
    second = audit_event_record(actor=None, verb="test.second", summary="second")
    assert (first.sequence, first.previous_hash) == (1, GENESIS_HASH)
    assert (second.sequence, second.previous_hash) == (2, first.hash)
    assert audit_chain_verify().intact
