"""Continued practice (phase 3): each independent operator's rolling 12 months of verified
thrombectomies against the quality standards in force and the volume their agreement sets, with
an alert when a figure falls below."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agreements.models import IN_FORCE_STATUSES, AgreementVersion, TrainingAgreement
from caselogs import choices as c
from caselogs.selectors import verified_cases
from phases.models import PhaseRecord

from .indicators import percent_of
from .standards import Judgement, standard_judge, standards_in_force

# The agreements a figure covers: their pks, or a values("pk") queryset used as a subquery.
AgreementIds = Iterable[int] | QuerySet[Any, Any]

ROLLING_DAYS = 365
# Indicator attribute -> standard key: the rates an operator's own practice is judged on.
JUDGED = {
    "successful_reperfusion_percent": "successful_reperfusion",
    "any_complication_percent": "any_complication_percent",
    "mrs_0_2_percent": "mrs_0_2_at_90_days_percent",
    "ssnap_entered_percent": "ssnap_entered_percent",
}
VOLUME_LABEL = "Thrombectomies in the last 12 months"


@dataclass
class OperatorPractice:
    trainee: str
    agreement_id: int
    volume: int
    judgements: list  # dicts: label, observed, unit, standard (in words), judgement

    @property
    def alerts(self) -> list:
        return [row for row in self.judgements if row["judgement"] == Judgement.NOT_MET]

    def as_snapshot(self) -> dict:
        return {**asdict(self), "since_days": ROLLING_DAYS}


def _minimum_volumes(agreement_ids: AgreementIds) -> dict[int, int | None]:
    """The volume term of each agreement's version in force (the latest active or completed)."""
    minimums: dict[int, int | None] = {}
    for agreement_id, minimum in (
        AgreementVersion.objects.filter(
            agreement_id__in=agreement_ids, status__in=IN_FORCE_STATUSES
        )
        .order_by("agreement_id", "-number")
        .values_list("agreement_id", "minimum_mt_per_year")
    ):
        minimums.setdefault(agreement_id, minimum)
    return minimums


def _volume_row(volume: int, minimum: int | None) -> dict:
    return {
        "label": VOLUME_LABEL,
        "observed": volume,
        "unit": "cases",
        "standard": f"at least {minimum} a year (agreement)"
        if minimum
        else "none set on the agreement",
        "judgement": (Judgement.MET if volume >= minimum else Judgement.NOT_MET)
        if minimum
        else Judgement.REPORT_ONLY,
    }


def continued_practice_for(agreement_ids: AgreementIds) -> list[OperatorPractice]:
    """One grouped query for every phase-3 operator at once, so the dashboard's query count does
    not grow with the number of independent operators."""
    standards = standards_in_force()
    since = timezone.localdate() - timedelta(days=ROLLING_DAYS)
    independent = list(
        PhaseRecord.objects.filter(agreement_id__in=agreement_ids, ended_on__isnull=True, phase=3)
        .select_related("agreement__trainee")
        .order_by("agreement__trainee__full_name")
    )
    ids = [r.agreement_id for r in independent]
    minimums = _minimum_volumes(ids)
    totals = {
        row["agreement_id"]: row
        for row in verified_cases()
        .filter(agreement_id__in=ids, procedure=c.Procedure.MT, performed_on__gte=since)
        .order_by()
        .values("agreement_id")
        .annotate(
            n=Count("pk"),
            successful=Count("pk", filter=Q(final_etici__in=c.SUCCESSFUL_REPERFUSION)),
            complicated=Count("pk", filter=Q(any_complication=True)),
            mrs_recorded=Count("pk", filter=Q(mrs_90_days__isnull=False)),
            mrs_good=Count("pk", filter=Q(mrs_90_days__lte=2)),
            ssnap=Count("pk", filter=Q(ssnap_entered=True)),
        )
    }
    rows = []
    for record in independent:
        t = totals.get(record.agreement_id, {})
        n = t.get("n", 0)
        observed = {
            "successful_reperfusion_percent": percent_of(t.get("successful", 0), n),
            "any_complication_percent": percent_of(t.get("complicated", 0), n),
            "mrs_0_2_percent": percent_of(t.get("mrs_good", 0), t.get("mrs_recorded", 0)),
            "ssnap_entered_percent": percent_of(t.get("ssnap", 0), n),
        }
        judgements = [_volume_row(n, minimums.get(record.agreement_id))] + [
            {
                "label": standards[key].label,
                "observed": observed[attribute],
                "unit": "%",
                "standard": standards[key].target_display,
                "judgement": standard_judge(standards[key], observed[attribute]),
            }
            for attribute, key in JUDGED.items()
            if key in standards
        ]
        rows.append(
            OperatorPractice(record.agreement.trainee.full_name, record.agreement_id, n, judgements)
        )
    return rows


def annual_review_continued_practice(agreement: TrainingAgreement) -> dict:
    """For the annual review's snapshot (registered with phases): the operator's judgements."""
    rows = continued_practice_for([agreement.pk])
    return {"continued_practice": rows[0].as_snapshot()} if rows else {}
