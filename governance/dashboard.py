"""The governance dashboard: where every trainee in the user's scope stands, what is overdue, and
who is being waited on. Every figure starts from the agreements the user may see."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from accounts.models import User
from agreements.models import IN_FORCE_STATUSES, AgreementVersion, VersionStatus
from agreements.selectors import agreement_list_for_user
from caselogs import choices as c
from caselogs.models import Activity, Case, ConfirmationStatus
from phases.models import PhaseRecord, ProgressionRequest
from reconciliation.selectors import reconciliation_rates_for_dashboard
from signoffs.models import SignoffRequest, SignoffStep

from .continued_practice import AgreementIds, continued_practice_for

# A national programme has thousands of trainees: each list shows this many, what needs attention
# first, and says how many more there are (the counts above cover everyone).
LIST_LIMIT = 50
# One programmed activity (session) is four hours.
HOURS_PER_SESSION = Decimal(4)
DELIVERY_WEEKS = 8


@dataclass
class TrainingTime:
    trainee: str
    agreement_id: int
    agreed_per_week: Decimal
    delivered_per_week: Decimal

    @property
    def short(self) -> bool:
        return self.delivered_per_week < self.agreed_per_week


@dataclass(frozen=True)
class InForceVersion:
    """What the overdue and training-time lists read of a version in force. Plain values: a
    national administrator has thousands, and model instances cost more than the figures."""

    pk: int
    agreement_id: int
    reference: str
    trainee: str
    status: str
    start_date: date
    expected_duration_months: int
    review_dates: list
    sessions_per_week: Decimal

    def review_dates_as_dates(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.review_dates]


def _in_force(agreement_ids: AgreementIds) -> list[InForceVersion]:
    return [
        InForceVersion(*row)
        for row in AgreementVersion.objects.filter(
            agreement_id__in=agreement_ids, status__in=IN_FORCE_STATUSES
        ).values_list(
            "pk",
            "agreement_id",
            "agreement__reference",
            "agreement__trainee__full_name",
            "status",
            "start_date",
            "expected_duration_months",
            "review_dates",
            "sessions_per_week",
        )
    ]


def trainees_by_phase(agreement_ids: AgreementIds) -> tuple[dict[int, int], list[PhaseRecord]]:
    """How many trainees are in each phase, and the first LIST_LIMIT of them by phase and name."""
    current = PhaseRecord.objects.filter(agreement_id__in=agreement_ids, ended_on__isnull=True)
    counts = dict(current.values_list("phase").annotate(n=Count("pk")).order_by())
    rows = current.select_related("agreement__trainee").order_by(
        "phase", "agreement__trainee__full_name"
    )[:LIST_LIMIT]
    return counts, list(rows)


def overdue_agreements(
    versions: Iterable[InForceVersion], today: date
) -> list[tuple[InForceVersion, str]]:
    """Active agreements past their expected duration, or past a review date, longest overdue
    first."""
    flagged = []
    for version in versions:
        if version.status != VersionStatus.ACTIVE:
            continue
        end = _add_months(version.start_date, version.expected_duration_months)
        reviews_due = [d for d in version.review_dates_as_dates() if d <= today]
        passed = []
        if end < today:
            passed.append((end, f"past its expected duration ({end.day} {end:%b %Y})"))
        if reviews_due:
            due = max(reviews_due)
            passed.append((due, f"review date {due.day} {due:%b %Y} has passed"))
        if passed:
            flagged.append(
                (min(day for day, _ in passed), version, "; ".join(reason for _, reason in passed))
            )
    flagged.sort(key=lambda row: (row[0], row[1].agreement_id))
    return [(version, reason) for _, version, reason in flagged]


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def waiting_signatures(agreement_ids: AgreementIds) -> list[SignoffStep]:
    """Open steps of sign-offs about these agreements (versions and progression requests)."""
    version_type = ContentType.objects.get_for_model(AgreementVersion)
    request_type = ContentType.objects.get_for_model(ProgressionRequest)
    version_ids = AgreementVersion.objects.filter(agreement_id__in=agreement_ids).values("pk")
    request_ids = ProgressionRequest.objects.filter(agreement_id__in=agreement_ids).values("pk")
    return list(
        SignoffStep.objects.filter(
            status=SignoffStep.Status.PENDING, request__status=SignoffRequest.Status.OPEN
        )
        .filter(
            Q(request__subject_type=version_type, request__subject_id__in=version_ids)
            | Q(request__subject_type=request_type, request__subject_id__in=request_ids)
        )
        .select_related("request", "named_user", "organisation")
        .order_by("request__created_at", "position")[:50]
    )


def cases_waiting(agreement_ids: AgreementIds) -> list[dict[str, Any]]:
    return list(
        Case.objects.filter(agreement_id__in=agreement_ids, status=c.VerificationStatus.SUBMITTED)
        .values("trainee__full_name", "supervisor__full_name")
        .annotate(n=Count("pk"), oldest=Min("submitted_at"))
        .order_by("oldest")
    )


def training_time(versions: Iterable[InForceVersion], today: date) -> list[TrainingTime]:
    """Sessions a week delivered over the last 8 weeks, from confirmed activities and verified
    case time, against the sessions a week the agreement sets."""
    since = today - timedelta(weeks=DELIVERY_WEEKS)
    active = [v for v in versions if v.status == VersionStatus.ACTIVE]
    ids = [v.agreement_id for v in active]
    activity_hours = dict(
        Activity.objects.filter(
            agreement_id__in=ids, status=ConfirmationStatus.CONFIRMED, happened_on__gte=since
        )
        .values_list("agreement_id")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    case_minutes = dict(
        Case.objects.filter(
            agreement_id__in=ids, status=c.VerificationStatus.VERIFIED, performed_on__gte=since
        )
        .values_list("agreement_id")
        .annotate(m=Sum("procedure_minutes"))
        .order_by()
    )
    rows = []
    for version in active:
        hours = (activity_hours.get(version.agreement_id) or Decimal(0)) + Decimal(
            case_minutes.get(version.agreement_id) or 0
        ) / 60
        per_week = (hours / HOURS_PER_SESSION / DELIVERY_WEEKS).quantize(Decimal("0.1"))
        rows.append(
            TrainingTime(version.trainee, version.agreement_id, version.sessions_per_week, per_week)
        )
    return rows


def dashboard_for(user: User) -> dict:
    today = timezone.localdate()
    # A subquery, not a list of ids: thousands of bound ids cost PostgreSQL more than the join.
    agreement_ids = agreement_list_for_user(user=user).values("pk")
    versions = _in_force(agreement_ids)
    counts, phases = trainees_by_phase(agreement_ids)
    return {
        "phase_counts": [(n, counts.get(n, 0)) for n in (1, 2, 3)],
        "phases": phases,
        "phases_total": sum(counts.values()),
        "overdue": overdue_agreements(versions, today),
        "waiting_signatures": waiting_signatures(agreement_ids),
        "cases_waiting": cases_waiting(agreement_ids),
        "reconciliation": reconciliation_rates_for_dashboard(agreement_ids),
        # Shortfalls and alerts first, so the rows past the limit are the ones that are fine.
        "training_time": sorted(training_time(versions, today), key=lambda row: not row.short),
        "continued_practice": sorted(
            continued_practice_for(agreement_ids), key=lambda operator: not operator.alerts
        ),
        "list_limit": LIST_LIMIT,
        "list_slice": f":{LIST_LIMIT}",
    }
