"""Demo agreements, one in each state: draft, awaiting signatures (some parties have signed, so a
newcomer can sign as the next one), active with its PDF, and amended (version 2 in force).
Idempotent: a trainee who already has an agreement is left alone."""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import (
    CENTRE,
    DEMO_BACKUP_CODES,
    DEMO_SECOND_SUPERVISOR,
    EMPLOYER,
    reset_demo_backup_codes,
)
from accounts.models import Directorate, Membership, Organisation, User
from signoffs.models import SignoffRequest, SignoffStep
from signoffs.services import signoff_sign

from .models import CriteriaTemplate, TrainingAgreement
from .services import (
    SupervisorChoice,
    agreement_amend,
    agreement_create,
    agreement_version_submit,
    agreement_version_update,
)


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _terms(start: date) -> dict:
    employer = Organisation.objects.get(name=EMPLOYER)
    centre = Organisation.objects.get(name=CENTRE)
    return {
        "employer": employer,
        "employer_directorate": Directorate.objects.get(
            organisation=employer, name="Clinical Radiology"
        ),
        "training_centre": centre,
        "centre_directorate": Directorate.objects.get(organisation=centre, name="Neuroradiology"),
        "start_date": start,
        "expected_duration_months": 18,
        "review_dates": [
            (start + timedelta(days=182)).isoformat(),
            (start + timedelta(days=365)).isoformat(),
        ],
        "sessions_per_week": Decimal("2.0"),
        "arrangements": [
            "part_time_attachment",
            "interventional_lists",
            "mt_in_hours",
            "mt_out_of_hours",
        ],
        "backfill_trainee_service": "One interventional radiology session a week covered by the "
        "IR locum consultant; on-call rota unchanged.",
        "backfill_trainee_sessions": Decimal("1.0"),
        "backfill_centre": "The lead supervisor's job plan carries one additional supervising "
        "session a week, funded by the employing trust.",
        "backfill_centre_sessions": Decimal("1.0"),
        "job_plan_confirmed": True,
        "service_protection_confirmed": True,
        "independence_local_terms": "First ten independent cases discussed at the weekly "
        "neurovascular MDT.",
        "audit_frequency_months": 12,
        "minimum_mt_per_year": 24,
        "governance_lead": _user("governance@northfield.example"),
    }


def _signer_for(step: SignoffStep) -> User:
    if step.named_user is not None:
        return step.named_user
    already_signed = step.request.signatures.values("signer_id")
    membership = (
        Membership.objects.active()
        .filter(role=step.role, organisation=step.organisation)
        .filter(**({"directorate": step.directorate} if step.directorate_id else {}))
        .exclude(user__in=already_signed)
        .select_related("user")
        .order_by("user__full_name")
        .first()
    )
    assert membership is not None, f"no demo person can sign {step.label}"
    return membership.user


def demo_sign(steps: Iterable[SignoffStep]) -> None:
    """Every step signed, in order, by the first eligible demo person who has not signed yet."""
    for step in steps:
        signer = _signer_for(step)
        # Backup codes work once; take the signer's next unused one.
        code = next(
            c
            for c in DEMO_BACKUP_CODES
            if signer.staticdevice_set.filter(token_set__token=c).exists()  # type: ignore[attr-defined]  # django_otp's reverse relation
        )
        signoff_sign(step=step, signer=signer, decision="approve", code=code)


def demo_draft(trainee_email: str, start: date) -> TrainingAgreement:
    lead = _user("supervisor@riverside.example")
    second = _user(DEMO_SECOND_SUPERVISOR.email)
    return agreement_create(
        actor=_user("training.lead@riverside.example"),
        trainee=_user(trainee_email),
        terms=_terms(start),
        supervisors=SupervisorChoice(supervisors=[lead, second], lead=lead),
        criteria_template=CriteriaTemplate.objects.filter(is_active=True)
        .order_by("-version")
        .first(),  # type: ignore[arg-type]  # the default template is created by a migration
    )


def demo_submit(agreement: TrainingAgreement) -> SignoffRequest:
    version = agreement.versions.order_by("-number").first()
    assert version is not None  # an agreement is created with its first version
    return agreement_version_submit(actor=_user("training.lead@riverside.example"), version=version)


@transaction.atomic
def seed_agreements() -> list[TrainingAgreement]:
    if TrainingAgreement.objects.exists():
        return list(TrainingAgreement.objects.all())
    today = timezone.localdate()
    created = []

    active = demo_draft("trainee@northfield.example", today - timedelta(days=200))
    demo_sign(demo_submit(active).steps.all())
    created.append(active)

    awaiting = demo_draft("sam.patel@northfield.example", today + timedelta(days=30))
    request = demo_submit(awaiting)
    demo_sign(request.steps.filter(label__in=["Trainee", "Lead supervisor (INR)"]))
    created.append(awaiting)

    created.append(demo_draft("jordan.lee@northfield.example", today + timedelta(days=60)))

    amended = demo_draft("chris.evans@northfield.example", today - timedelta(days=400))
    demo_sign(demo_submit(amended).steps.all())
    draft_v2 = agreement_amend(actor=_user("training.lead@riverside.example"), agreement=amended)
    lead = _user("supervisor@riverside.example")
    second = _user(DEMO_SECOND_SUPERVISOR.email)
    agreement_version_update(
        actor=_user("training.lead@riverside.example"),
        version=draft_v2,
        terms={
            **_terms(draft_v2.start_date),
            "sessions_per_week": Decimal("3.0"),
            "expected_duration_months": 24,
        },
        supervisors=SupervisorChoice(supervisors=[lead, second], lead=lead),
    )
    demo_sign(demo_submit(amended).steps.all())
    created.append(amended)

    reset_demo_backup_codes()
    return created
