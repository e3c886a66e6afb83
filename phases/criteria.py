"""Criteria evaluated against verified evidence, in the database (aggregates, not loops over rows).

One function per kind of criterion (agreements.models.CriterionKind). Each returns a
``CriterionProgress``: the count against the required figure, what is missing in words, and the
ids of the evidence that met it, which a progression request freezes in its snapshot.
"""

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from agreements.models import AgreementCriterion, CriterionKind
from caselogs import choices as c
from caselogs.models import (
    Activity,
    ActivityKind,
    Assessment,
    CaseVerification,
    ConfirmationStatus,
)
from caselogs.selectors import verified_cases, with_verified_view
from reconciliation.models import MatchState

from .cusum import CusumCurve, CusumParameters, cusum_curve
from .models import Competency, CompetencySignoff


@dataclass
class CriterionProgress:
    criterion_id: int
    description: str
    source: str
    required: str
    current: str
    met: bool
    missing: str = ""
    evidence: dict = field(default_factory=dict)

    def as_snapshot(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class EvidenceScope:
    """Whose evidence, and the current phase's start (for "within this phase" criteria)."""

    agreement_id: int
    trainee_id: int
    phase_started_on: date


def _cases(scope: EvidenceScope) -> QuerySet[Any]:
    # Cases annotated with verified_role and verified_mode (with_verified_view), which the type
    # checker cannot see on Case.
    return with_verified_view(
        verified_cases().filter(agreement_id=scope.agreement_id, trainee_id=scope.trainee_id)
    )


def _count(
    criterion: AgreementCriterion,
    current: int,
    required: int,
    noun: str,
    ids: Collection[int] | None = None,
) -> CriterionProgress:
    met = current >= required
    return CriterionProgress(
        criterion.pk,
        criterion.description,
        criterion.source,
        str(required),
        str(current),
        met,
        "" if met else f"{required - current} more {noun} needed",
        {"ids": sorted(ids or [])},
    )


def _cases_criterion(criterion: AgreementCriterion, scope: EvidenceScope) -> CriterionProgress:
    p = criterion.parameters
    cases = _cases(scope).filter(procedure=p.get("procedure", c.Procedure.MT))
    if p.get("role"):
        cases = cases.filter(verified_role=p["role"])
    if p.get("supervision"):
        cases = cases.filter(verified_mode__in=p["supervision"])
    if p.get("within_phase"):
        cases = cases.filter(performed_on__gte=scope.phase_started_on)
    ids = list(cases.values_list("pk", flat=True))
    return _count(criterion, len(ids), int(criterion.target), "verified cases", ids)


def _angiograms(criterion: AgreementCriterion, scope: EvidenceScope) -> CriterionProgress:
    ids = list(
        _cases(scope)
        .filter(procedure=c.Procedure.DIAGNOSTIC_ANGIOGRAM)
        .values_list("pk", flat=True)
    )
    return _count(criterion, len(ids), int(criterion.target), "verified angiograms", ids)


def _distinct_verifiers(criterion: AgreementCriterion, scope: EvidenceScope) -> CriterionProgress:
    verifiers = list(
        CaseVerification.objects.filter(
            case__agreement_id=scope.agreement_id,
            case__trainee_id=scope.trainee_id,
            case__status=c.VerificationStatus.VERIFIED,
            decision=CaseVerification.Decision.VERIFIED,
        )
        .order_by()  # the model's default ordering would defeat DISTINCT
        .values_list("supervisor_id", flat=True)
        .distinct()
    )
    return _count(criterion, len(verifiers), int(criterion.target), "verifying INRs", verifiers)


def _activities(criterion: AgreementCriterion, scope: EvidenceScope) -> CriterionProgress:
    kind = criterion.parameters.get("activity", ActivityKind.MDT)
    ids = list(
        Activity.objects.filter(
            agreement_id=scope.agreement_id,
            trainee_id=scope.trainee_id,
            kind=kind,
            status=ConfirmationStatus.CONFIRMED,
        ).values_list("pk", flat=True)
    )
    return _count(criterion, len(ids), int(criterion.target), "confirmed activities", ids)


def _assessments(criterion: AgreementCriterion, scope: EvidenceScope) -> CriterionProgress:
    p = criterion.parameters
    ids = list(
        Assessment.objects.filter(
            agreement_id=scope.agreement_id,
            trainee_id=scope.trainee_id,
            kind=p.get("assessment", "procedural"),
            entrustment__gte=p.get("min_level", 1),
        ).values_list("pk", flat=True)
    )
    return _count(criterion, len(ids), int(criterion.target), "assessments at that level", ids)


def _competencies(criterion: AgreementCriterion, scope: EvidenceScope) -> CriterionProgress:
    wanted = criterion.parameters.get("competencies", [])
    signers_required = int(criterion.parameters.get("signers_required", 1))
    signers = dict(
        CompetencySignoff.objects.filter(agreement_id=scope.agreement_id, competency__in=wanted)
        .values_list("competency")
        .annotate(n=Count("supervisor", distinct=True))
    )
    done = [name for name in wanted if signers.get(name, 0) >= signers_required]
    missing = [Competency(name).label for name in wanted if name not in done]
    met = not missing
    who = "two distinct INRs" if signers_required == 2 else f"{signers_required} INR(s)"
    return CriterionProgress(
        criterion.pk,
        criterion.description,
        criterion.source,
        f"{len(wanted)} competenc{'y' if len(wanted) == 1 else 'ies'}",
        f"{len(done)} of {len(wanted)}",
        met,
        "" if met else f"Still to be signed off by {who}: " + "; ".join(missing),
        {"signed": done},
    )


def _minimum_weeks(criterion: AgreementCriterion, scope: EvidenceScope) -> CriterionProgress:
    weeks = (timezone.localdate() - scope.phase_started_on).days // 7
    required = int(criterion.target)
    met = weeks >= required
    return CriterionProgress(
        criterion.pk,
        criterion.description,
        criterion.source,
        f"{required} weeks",
        f"{weeks} weeks",
        met,
        "" if met else f"{required - weeks} more weeks in this phase",
        {},
    )


def _recent_mt(scope: EvidenceScope, limit: int | None = None) -> QuerySet[Any]:
    cases = (
        _cases(scope)
        .filter(procedure=c.Procedure.MT, verified_role=c.TraineeRole.PRIMARY_OPERATOR)
        .order_by("-performed_on", "-pk")
    )
    return cases[:limit] if limit else cases


def _reperfusion_rate(criterion: AgreementCriterion, scope: EvidenceScope) -> CriterionProgress:
    last_n = int(criterion.parameters.get("last_n", 20))
    recent = list(_recent_mt(scope, last_n).values_list("pk", "final_etici"))
    successes = sum(1 for _, grade in recent if grade in c.SUCCESSFUL_REPERFUSION)
    rate = Decimal(100 * successes / len(recent)).quantize(Decimal("0.1")) if recent else Decimal(0)
    enough = len(recent) >= last_n
    met = enough and rate >= criterion.target
    missing = (
        ""
        if met
        else (
            f"Only {len(recent)} of the {last_n} cases needed"
            if not enough
            else f"{rate}% is below {criterion.target.normalize():f}%"
        )
    )
    return CriterionProgress(
        criterion.pk,
        criterion.description,
        criterion.source,
        f"{criterion.target.normalize():f}% of the last {last_n}",
        f"{rate}% ({successes} of {len(recent)})",
        met,
        missing,
        {"ids": [pk for pk, _ in recent]},
    )


# The default CUSUM failure (DOMAIN.md): a final eTICI below 2b50, or a major procedural
# complication. An arterial dissection counts only when it needed treatment ("Arterial dissection
# needing treatment" in the logbook; a plain "Arterial dissection" does not). Each kind counted is
# named on the chart.
FAILURE_COMPLICATIONS = frozenset(
    {
        c.Complication.VESSEL_PERFORATION,
        c.Complication.TREATED_DISSECTION,
        c.Complication.NEW_TERRITORY_EMBOLISATION,
    }
)
FAILURE_KINDS = (
    "final eTICI below 2b50",
    "vessel perforation",
    "arterial dissection needing treatment",
    "embolisation to a new territory",
    "symptomatic intracranial haemorrhage",
)


def mt_failures(scope: EvidenceScope) -> list[bool]:
    """Each verified thrombectomy as primary operator since the phase started, in order: True
    for a failure. A phase's curve starts at zero with its first case (DOMAIN.md)."""
    rows = (
        _recent_mt(scope)
        .filter(performed_on__gte=scope.phase_started_on)
        .order_by("performed_on", "pk")
        .values_list("final_etici", "complications", "haemorrhage_symptomatic")
    )
    return [
        grade not in c.SUCCESSFUL_REPERFUSION
        or bool(set(complications or []) & FAILURE_COMPLICATIONS)
        or bool(symptomatic)
        for grade, complications, symptomatic in rows
    ]


def _curve_now(curve: CusumCurve) -> str:
    crossing = curve.latest_crossing
    cases = f"{len(curve.values)} case{'s' if len(curve.values) != 1 else ''}"
    if crossing is None:
        return f"{curve.current:.2f} after {cases}"
    return f"crossed the {crossing.limit} limit at case {crossing.case} of {cases}"


def _learning_curve(criterion: AgreementCriterion, scope: EvidenceScope) -> CriterionProgress:
    parameters = CusumParameters.from_values(criterion.parameters)
    curve = cusum_curve(mt_failures(scope), parameters)
    crossing = curve.latest_crossing
    met = curve.shows_acceptable_performance
    if met:
        missing = ""
    elif crossing is not None:
        missing = (
            f"Crossed the unacceptable limit at case {crossing.case}; the curve restarted "
            f"from zero and must reach {-parameters.h0:.2f} again"
        )
    else:
        missing = f"The curve is at {curve.current:.2f}; it must reach {-parameters.h0:.2f}"
    return CriterionProgress(
        criterion.pk,
        criterion.description,
        criterion.source,
        f"crosses the lower limit ({-parameters.h0:.2f})",
        _curve_now(curve),
        met,
        missing,
        {
            "cases": len(curve.values),
            "crossings": [{"case": x.case, "limit": x.limit} for x in curve.crossings],
        },
    )


def _reconciled_cases(criterion: AgreementCriterion, scope: EvidenceScope) -> CriterionProgress:
    """Verified cases the hospital's procedure list confirms (issue 16): matched on the accession
    number by default; ``"include_probable": true`` also counts matches on date, site and
    operator; ``procedure`` narrows to one kind."""
    p = criterion.parameters
    states = [MatchState.MATCHED]
    if p.get("include_probable"):
        states.append(MatchState.PROBABLE)
    cases = verified_cases().filter(
        agreement_id=scope.agreement_id,
        trainee_id=scope.trainee_id,
        reconciliation__state__in=states,
    )
    if p.get("procedure"):
        cases = cases.filter(procedure=p["procedure"])
    ids = list(cases.values_list("pk", flat=True))
    return _count(criterion, len(ids), int(criterion.target), "reconciled verified cases", ids)


EVALUATORS: dict[str, Callable[[AgreementCriterion, EvidenceScope], CriterionProgress]] = {
    CriterionKind.CASES: _cases_criterion,
    CriterionKind.DIAGNOSTIC_ANGIOGRAMS: _angiograms,
    CriterionKind.DISTINCT_VERIFIERS: _distinct_verifiers,
    CriterionKind.ACTIVITIES: _activities,
    CriterionKind.ASSESSMENTS: _assessments,
    CriterionKind.COMPETENCIES: _competencies,
    CriterionKind.MINIMUM_WEEKS: _minimum_weeks,
    CriterionKind.REPERFUSION_RATE: _reperfusion_rate,
    CriterionKind.LEARNING_CURVE: _learning_curve,
    CriterionKind.RECONCILED_CASES: _reconciled_cases,
}


def evaluate_criteria(
    criteria: list[AgreementCriterion], scope: EvidenceScope
) -> list[CriterionProgress]:
    return [EVALUATORS[criterion.kind](criterion, scope) for criterion in criteria]
