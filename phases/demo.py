"""Demo trainees in each phase. Dr Alex Morgan is in phase 2; Dr Chris Evans is in phase 2 with
every criterion for independence met, so a newcomer can walk the whole countersignature chain;
Dr Dana Whitaker has completed training (phase 3) and holds a certificate. All evidence is
pseudonymous and built through the same services people use."""

import random
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import CENTRE, DEMO_SECOND_SUPERVISOR
from accounts.models import Site, User
from agreements.demo import demo_draft, demo_sign, demo_submit
from agreements.models import TrainingAgreement
from caselogs.demo import seed_activities, seed_assessments, seed_cases, verify_cases
from signoffs.selectors import signoff_requests_for_subject

from .models import Competency, PhaseRecord, ProgressionRequest
from .selectors import progress_for
from .services import competency_sign, progression_request_make

LEAD_EMAIL = "supervisor@riverside.example"
PHASE_ONE_COMPETENCIES = (Competency.STROKE_MANAGEMENT, Competency.IMAGING_INTERPRETATION)
PHASE_TWO_COMPETENCIES = (
    Competency.MT_TECHNIQUE,
    Competency.COMPLICATION_MANAGEMENT,
    Competency.AFTERCARE,
)


class DemoCriteriaNotMet(Exception):
    """The generated evidence did not meet the criteria it was meant to meet."""


def _people() -> tuple[User, User]:
    return User.objects.get(email=LEAD_EMAIL), User.objects.get(email=DEMO_SECOND_SUPERVISOR.email)


def _sign_competencies(
    agreement: TrainingAgreement, competencies: Iterable[str], supervisors: Iterable[User]
) -> None:
    for competency in competencies:
        for supervisor in supervisors:
            competency_sign(
                agreement=agreement,
                supervisor=supervisor,
                competency=competency,
                statement="Observed over several cases.",
            )


def _advance(agreement: TrainingAgreement, actor: User) -> ProgressionRequest:
    """Request the next phase (every criterion must be met) and sign the whole chain."""
    progress = progress_for(agreement)
    if not progress.all_met:
        raise DemoCriteriaNotMet(
            f"{agreement.trainee}: "
            + "; ".join(f"{i.description}: {i.missing}" for i in progress.unmet)
        )
    request = progression_request_make(agreement=agreement, actor=actor)
    demo_sign(signoff_requests_for_subject(request).get().steps.all())
    return request


def _phase_dated(agreement: TrainingAgreement, days_ago: int) -> None:
    """Date the phase just started as the trainee would have reached it: the demo logs months of
    evidence in seconds and approves each request on the day it is seeded, but a phase's learning
    curve counts only the cases since the phase started (DOMAIN.md), so the change must fall among
    the cases. Saved one by one, so the phase history keeps the change."""
    moved_to = timezone.localdate() - timedelta(days=days_ago)
    records = list(
        PhaseRecord.objects.filter(agreement=agreement).order_by("-started_on", "-pk")[:2]
    )
    current, previous = records[0], records[1]
    previous.ended_on = current.started_on = moved_to
    previous.save()
    current.save()


def _strong_logbook(trainee: User, prefix: str, days: int, seed: int) -> None:
    lead, second = _people()
    site = Site.objects.filter(organisation__name=CENTRE).first()
    cases = seed_cases(
        trainee=trainee,
        supervisors=[lead, second],
        site=site,
        count=230,
        days_span=days,
        prefix=prefix,
        rng=random.Random(seed),
        strong=True,
        procedure_weights=[("mt", 52), ("diagnostic_angiogram", 48)],
    )
    verify_cases(cases)
    seed_activities(trainee=trainee, supervisor=lead, count=24, leave_waiting=0)
    seed_assessments(trainee=trainee, cases=cases[:60], count=6, level=2)
    seed_assessments(trainee=trainee, cases=cases[-60:], count=6, level=3)


@transaction.atomic
def seed_phases() -> dict:
    if ProgressionRequest.objects.exists():
        return {}
    lead, second = _people()

    alex = TrainingAgreement.objects.get(trainee__email="trainee@northfield.example")
    _sign_competencies(alex, PHASE_ONE_COMPETENCIES, [lead])
    _advance(alex, alex.trainee)
    _phase_dated(alex, 50)

    chris = TrainingAgreement.objects.get(trainee__email="chris.evans@northfield.example")
    _strong_logbook(chris.trainee, "CE", 360, 41)
    _sign_competencies(chris, PHASE_ONE_COMPETENCIES, [lead])
    _advance(chris, chris.trainee)
    _phase_dated(chris, 150)
    _sign_competencies(chris, PHASE_TWO_COMPETENCIES, [lead, second])
    if not progress_for(chris).all_met:
        raise DemoCriteriaNotMet(f"{chris.trainee} should meet every criterion for independence")

    today = timezone.localdate()
    dana = demo_draft("dana.whitaker@northfield.example", today - timedelta(days=540))
    demo_sign(demo_submit(dana).steps.all())
    _strong_logbook(dana.trainee, "DW", 520, 73)
    _sign_competencies(dana, PHASE_ONE_COMPETENCIES, [lead])
    _advance(dana, dana.trainee)
    _phase_dated(dana, 250)
    _sign_competencies(dana, PHASE_TWO_COMPETENCIES, [lead, second])
    _advance(dana, lead)
    return {
        "phase 2": alex.trainee,
        "ready for independence": chris.trainee,
        "phase 3": dana.trainee,
    }
