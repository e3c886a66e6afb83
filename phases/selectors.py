"""Reads for phases: the current phase, progress against its criteria, and who may see them."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from agreements.models import IN_FORCE_STATUSES, AgreementVersion, CriterionKind, TrainingAgreement
from agreements.selectors import agreement_list_for_user
from caselogs.selectors import verified_cases
from reconciliation.selectors import ReconciliationRate, reconciliation_rate

from .criteria import CriterionProgress, EvidenceScope, evaluate_criteria, mt_failures
from .cusum import CusumCurve, CusumParameters, cusum_curve
from .models import CompetencySignoff, PhaseRecord, ProgressionRequest


@dataclass
class Progress:
    agreement: TrainingAgreement
    version: AgreementVersion | None
    phase: PhaseRecord | None
    items: list[CriterionProgress]
    # Verified evidence against the hospital's procedure lists (issue 16): "verified and
    # reconciled", beside the criteria.
    reconciliation: ReconciliationRate | None = None

    @property
    def all_met(self) -> bool:
        return bool(self.items) and all(item.met for item in self.items)

    @property
    def unmet(self) -> list[CriterionProgress]:
        return [item for item in self.items if not item.met]


def agreement_for_progress(*, user: User, pk: int) -> TrainingAgreement:
    """The agreement whose progress the user may see: the same people who may see the agreement."""
    return get_object_or_404(agreement_list_for_user(user=user), pk=pk)


def current_phase(agreement: TrainingAgreement) -> PhaseRecord | None:
    return PhaseRecord.objects.filter(agreement=agreement, ended_on__isnull=True).first()


def version_in_force(agreement: TrainingAgreement) -> AgreementVersion | None:
    return (
        AgreementVersion.objects.filter(agreement=agreement, status__in=IN_FORCE_STATUSES)
        .order_by("-number")
        .prefetch_related("criteria", "supervisors__supervisor")
        .first()
    )


def learning_curve_for(agreement: TrainingAgreement) -> CusumCurve:
    """The trainee's CUSUM over their verified thrombectomies in the current phase, with the
    parameters set on the agreement (its learning-curve criterion) or the SPEC defaults."""
    version = version_in_force(agreement)
    criterion = (
        next((c for c in version.criteria.all() if c.kind == CriterionKind.LEARNING_CURVE), None)
        if version
        else None
    )
    phase = current_phase(agreement)
    scope = EvidenceScope(
        agreement.pk,
        agreement.trainee_id,
        phase.started_on if phase else agreement.created_at.date(),
    )
    parameters = CusumParameters.from_values(criterion.parameters if criterion else None)
    return cusum_curve(mt_failures(scope), parameters)


def progress_for(agreement: TrainingAgreement) -> Progress:
    """Each criterion of the current phase, computed now from verified evidence."""
    phase = current_phase(agreement)
    version = version_in_force(agreement)
    reconciled = reconciliation_rate(
        verified_cases().filter(agreement=agreement, trainee_id=agreement.trainee_id)
    )
    if phase is None or version is None or phase.phase == 3:
        return Progress(agreement, version, phase, [], reconciled)
    criteria = [c for c in version.criteria.all() if c.phase == phase.phase]
    scope = EvidenceScope(agreement.pk, agreement.trainee_id, phase.started_on)
    return Progress(agreement, version, phase, evaluate_criteria(criteria, scope), reconciled)


def phase_history(agreement: TrainingAgreement) -> QuerySet[PhaseRecord]:
    return PhaseRecord.objects.filter(agreement=agreement).order_by("started_on", "pk")


def progression_requests_for(agreement: TrainingAgreement) -> QuerySet[ProgressionRequest]:
    return (
        ProgressionRequest.objects.filter(agreement=agreement)
        .select_related("requested_by")
        .order_by("-requested_at")
    )


def competency_signoffs_for(agreement: TrainingAgreement) -> QuerySet[CompetencySignoff]:
    return CompetencySignoff.objects.filter(agreement=agreement).select_related("supervisor")
