"""A case's history says what each saved version changed (issue 13 item 10): an edit before the
supervisor decides is no longer a second, identical "Revision 1: waiting for verification"."""

import re
from html import unescape

import pytest

from caselogs.services import case_correct, case_verify

from ..conftest import sign_in
from .conftest import log_case, mt_case_data

pytestmark = pytest.mark.django_db

OLD_REFLECTION = "Aspiration first; the clot was firm."
NEW_REFLECTION = "Stent retriever first next time; the clot was firm."


def _history(client, case):
    page = client.get(f"/logbook/{case.pk}/").content.decode()
    section = page.split('id="case-history"', 1)[1].split("</section>", 1)[0]
    items = re.split(r'<li class="history-entry">', section)[1:]
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def _edit(world, case, **changes):
    return case_correct(
        case=case,
        trainee=world.trainee,
        data=mt_case_data(world, **{"reflection": OLD_REFLECTION, **changes}),
    )


def test_an_edit_before_the_decision_says_what_changed(logbook, client):
    case = log_case(logbook, reflection=OLD_REFLECTION)
    _edit(logbook, case, passes=1, final_etici="2c", out_of_hours=False, reflection=NEW_REFLECTION)
    sign_in(client, logbook.trainee)
    newest, first = _history(client, case)
    assert newest.startswith("Revision 1: waiting for verification")
    for change in (
        "When: out of hours → in hours",
        "Final eTICI: 2b67: 67-89% → 2c: 90-99%",
        "Number of passes: 2 → 1",
        "Reflection changed",
    ):
        assert change in newest, newest
    assert "clot" not in newest  # free text: that it changed, never what it said
    assert first.startswith("Revision 1: waiting for verification") and "Logged" in first
    assert newest != first


def test_the_blind_supervisor_is_told_the_role_changed_but_not_to_what(logbook, client):
    case = log_case(logbook)
    _edit(logbook, case, trainee_role="assistant", supervision_mode="on_site")
    sign_in(client, logbook.lead_supervisor)
    newest = _history(client, case)[0]
    assert "Trainee's role changed" in newest and "Supervision changed" in newest
    assert "ssistant" not in newest and "on site" not in newest and "rimary" not in newest


def test_a_correction_after_a_query_is_the_next_revision_with_its_changes(logbook, client):
    case = log_case(logbook)
    case_verify(
        case=case,
        supervisor=logbook.lead_supervisor,
        role_view="primary_operator",
        mode_view="scrubbed",
        decision="queried",
        comment="How many passes?",
    )
    _edit(logbook, case, passes=3)
    _edit(logbook, case, passes=3)  # saved again, nothing changed
    sign_in(client, logbook.trainee)
    unchanged, corrected, queried, logged = _history(client, case)
    assert unchanged.startswith("Revision 2: waiting") and "Saved with no changes" in unchanged
    assert corrected.startswith("Revision 2: waiting") and "Number of passes: 2 → 3" in corrected
    assert queried.startswith("Revision 1: queried by supervisor")
    assert "Logged" in logged
