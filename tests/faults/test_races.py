"""Issue 8, item 5: eight requests at the same moment give exactly one result.

Eight threads, each with its own PostgreSQL connection, wait at a barrier and then call the same
service: sign one step, verify one case, ask for one progression. The row locks in the services
make them queue; exactly one succeeds and the other seven are refused with the message a person
would see (never a database error, which would be a 500), and one row is written.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accounts.models import Role
from agreements.services import agreement_version_submit
from caselogs.models import CaseVerification
from caselogs.services import case_verify
from phases.models import ProgressionRequest
from phases.services import progression_request_make
from signoffs.models import Signature, SignoffRequest, SignoffStep
from signoffs.services import SignoffRefused, signoff_sign
from tests.agreements.conftest import build_world, draft
from tests.caselogs.conftest import log_case, logbook  # noqa: F401 - fixture
from tests.factories import TEST_BACKUP_CODES, make_member
from tests.phases.conftest import meet_phase_one, small_world  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="eight concurrent connections need PostgreSQL (DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("audit_log_truncatable"),
]

RACERS = 8


def race(attempts) -> list[str]:
    """Run the callables at the same moment; each outcome is "ok" or the refusal's message."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def run(attempt):
        try:
            barrier.wait(timeout=20)
            attempt()
            outcomes.append("ok")
        except SignoffRefused as refusal:
            outcomes.append(f"refused: {refusal.message}")
        except ValidationError as error:
            outcomes.append(f"refused: {' '.join(error.messages)}")
        except Exception as error:  # noqa: BLE001 - a database error is the failure looked for
            outcomes.append(f"ERROR {type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(attempts), "a racer did not finish"
    return outcomes


def _exactly_one_ok(outcomes, refusal_contains: str):
    assert outcomes.count("ok") == 1, outcomes
    refused = [o for o in outcomes if o != "ok"]
    assert all(refusal_contains in o for o in refused), refused


def test_eight_signers_of_one_step_give_one_signature():
    world = build_world()
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    step = request.steps.get(label__startswith="Medical director, Northgate")
    directors = [world.employer_medical_director] + [
        make_member(Role.MEDICAL_DIRECTOR, world.employer) for _ in range(RACERS - 1)
    ]

    outcomes = race(
        [
            lambda user=user: signoff_sign(
                step=step, signer=user, decision="approve", code=TEST_BACKUP_CODES[0]
            )
            for user in directors
        ]
    )

    _exactly_one_ok(outcomes, "already been signed")
    assert Signature.objects.filter(step=step).count() == 1
    assert SignoffStep.objects.get(pk=step.pk).status == SignoffStep.Status.SIGNED
    assert SignoffRequest.objects.get(pk=request.pk).signatures.count() == 1


def test_eight_verifications_of_one_case_give_one_decision(logbook):
    case = log_case(logbook)

    outcomes = race(
        [
            lambda: case_verify(
                case=case,
                supervisor=logbook.lead_supervisor,
                role_view=case.trainee_role,
                mode_view=case.supervision_mode,
                decision="verified",
            )
            for _ in range(RACERS)
        ]
    )

    _exactly_one_ok(outcomes, "already verified")
    assert CaseVerification.objects.filter(case=case).count() == 1
    case.refresh_from_db()
    assert case.status == "verified"


def test_eight_progression_requests_give_one_request(small_world):
    meet_phase_one(small_world)
    people = [small_world.trainee, small_world.lead_supervisor, small_world.second_supervisor]

    outcomes = race(
        [
            lambda actor=people[n % len(people)]: progression_request_make(  # noqa: B008  (each racer's actor, bound now)
                agreement=small_world.agreement, actor=actor
            )
            for n in range(RACERS)
        ]
    )

    _exactly_one_ok(outcomes, "waiting for signatures")
    assert ProgressionRequest.objects.filter(agreement=small_world.agreement).count() == 1
    request = ProgressionRequest.objects.get(agreement=small_world.agreement)
    signoffs = SignoffRequest.objects.filter(kind="phase_progression", subject_id=request.pk)
    assert signoffs.count() == 1
