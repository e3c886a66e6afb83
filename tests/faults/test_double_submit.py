"""Issue 8, item 6: the same form posted five times gives one record.

A double click, a reload that re-posts, a retry on a slow network: the same POST arrives again,
one after another or at the same moment. Through the real views, from one signed-in browser
session, for the forms where a duplicate would matter: logging a case, signing a step, asking to
progress. Every response is a redirect or the form with its explanation, never a server error.
"""

import copy
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.test import Client

from agreements.services import agreement_version_submit
from caselogs.models import Activity, Case
from governance.models import AuditReport
from phases.models import ProgressionRequest
from signoffs.models import Signature
from tests.agreements.conftest import build_world, draft, sign_step, signer_for
from tests.caselogs.conftest import logbook  # noqa: F401 - fixture
from tests.conftest import sign_in
from tests.factories import TEST_BACKUP_CODES
from tests.phases.conftest import meet_phase_one, small_world  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("audit_log_truncatable"),
]

# One after another runs anywhere (a newcomer's SQLite too); at the same moment needs PostgreSQL's
# row locks across connections, which SQLite cannot give.
IN_TURN_AND_AT_ONCE = pytest.mark.parametrize(
    "at_once",
    [
        pytest.param(False, id="in-turn"),
        pytest.param(
            True,
            id="at-once",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(
                    connection.vendor != "postgresql",
                    reason="concurrent requests need PostgreSQL (DATABASE_URL)",
                ),
            ],
        ),
    ],
)

TIMES = 5


def post_five_times(signed_in: Client, path: str, data: dict, *, at_once: bool) -> list:
    """The same POST five times from one browser session: in turn, or all at the same moment."""
    if not at_once:
        return [_outcome(lambda: signed_in.post(path, data)) for _ in range(TIMES)]
    barrier = threading.Barrier(TIMES)
    outcomes = []

    def post():
        browser = Client()
        browser.cookies = copy.deepcopy(signed_in.cookies)
        try:
            barrier.wait(timeout=20)
            outcomes.append(_outcome(lambda: browser.post(path, data)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(TIMES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == TIMES
    return outcomes


def _outcome(send):
    try:
        return send().status_code
    except Exception as error:  # noqa: BLE001 - the test client re-raises what would be a 500
        return f"500 {type(error).__name__}: {error}"


def _case_form(world, reference):
    return {
        "performed_on": (date.today() - timedelta(days=1)).isoformat(),
        "reference": reference,
        "site": world.site.pk,
        "out_of_hours": "true",
        "procedure": "mt",
        "trainee_role": "primary_operator",
        "supervisor": world.lead_supervisor.pk,
        "supervision_mode": "scrubbed",
        "final_etici": "2c",
        "passes": "1",
    }


@IN_TURN_AND_AT_ONCE
def test_a_case_posted_five_times_is_logged_once(logbook, at_once):
    trainee = sign_in(Client(), logbook.trainee)

    outcomes = post_five_times(
        trainee, "/logbook/new/", _case_form(logbook, "DOUBLE-1"), at_once=at_once
    )

    assert sorted(outcomes, key=str) == [200, 200, 200, 200, 302], outcomes
    assert Case.objects.filter(trainee=logbook.trainee, reference="DOUBLE-1").count() == 1


@IN_TURN_AND_AT_ONCE
def test_a_signature_posted_five_times_is_recorded_once(at_once):
    world = build_world()
    version = draft(world).versions.get()
    steps = list(agreement_version_submit(actor=world.training_lead, version=version).steps.all())
    for step in steps[:-2]:
        sign_step(world, step)
    step = steps[-2]
    signer = sign_in(Client(), signer_for(world, step), code_index=0)

    outcomes = post_five_times(
        signer,
        f"/signoffs/steps/{step.pk}/sign/",
        {"decision": "approve", "reason": "", "code": TEST_BACKUP_CODES[1]},
        at_once=at_once,
    )

    assert sorted(outcomes, key=str) == [200, 200, 200, 200, 302], outcomes
    assert Signature.objects.filter(step=step).count() == 1
    assert Signature.objects.filter(request=step.request).count() == len(steps) - 1


@IN_TURN_AND_AT_ONCE
def test_a_progression_request_posted_five_times_is_made_once(small_world, at_once):
    meet_phase_one(small_world)
    trainee = sign_in(Client(), small_world.trainee)
    path = f"/progress/{small_world.agreement.pk}/request/"

    outcomes = post_five_times(trainee, path, {}, at_once=at_once)

    # The view always returns to the progress page, with a message saying what happened.
    assert outcomes == [302] * TIMES, outcomes
    assert ProgressionRequest.objects.filter(agreement=small_world.agreement).count() == 1


def _form_with_its_token(client: Client, path: str, fields: dict) -> dict:
    """The form's fields as the browser sends them: the user's entries and the hidden one-time
    token of the page that was shown."""
    form = client.get(path).context["form"]
    return {**fields, "submission_token": str(form.initial["submission_token"])}


@IN_TURN_AND_AT_ONCE
def test_an_activity_posted_five_times_is_logged_once(logbook, at_once):
    trainee = sign_in(Client(), logbook.trainee)
    data = _form_with_its_token(
        trainee,
        "/logbook/activities/new/",
        {
            "kind": "mdt",
            "happened_on": (date.today() - timedelta(days=1)).isoformat(),
            "hours": "1.5",
            "supervisor": logbook.lead_supervisor.pk,
            "notes": "",
        },
    )

    outcomes = post_five_times(trainee, "/logbook/activities/new/", data, at_once=at_once)

    assert outcomes == [302] * TIMES, outcomes
    assert Activity.objects.filter(trainee=logbook.trainee).count() == 1
    # A new page is a new form: the next activity is logged.
    again = _form_with_its_token(trainee, "/logbook/activities/new/", {**data, "hours": "2"})
    assert trainee.post("/logbook/activities/new/", again).status_code == 302
    assert Activity.objects.filter(trainee=logbook.trainee).count() == 2


@IN_TURN_AND_AT_ONCE
def test_an_audit_report_requested_five_times_is_made_once(logbook, at_once):
    lead = sign_in(Client(), logbook.governance_lead)
    data = _form_with_its_token(
        lead,
        "/governance/reports/",
        {
            "organisation": "",
            "trainee": "",
            "period_end": date.today().isoformat(),
            "period_start": (date.today() - timedelta(days=30)).isoformat(),
        },
    )

    outcomes = post_five_times(lead, "/governance/reports/", data, at_once=at_once)

    assert outcomes == [302] * TIMES, outcomes
    assert AuditReport.objects.filter(requested_by=logbook.governance_lead).count() == 1
