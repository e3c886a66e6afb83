"""What an audit report freezes: the indicators, each judged against its quality standard, the
time targets, and each trainee's learning curve, as plain JSON (the snapshot).

Rates and medians come from ``indicators_for``; the time targets that combine two recorded
intervals (door to reperfusion, imaging to puncture) are computed here, over the same cases.
"""

from dataclasses import asdict
from statistics import median

from django.db.models import Count, F, Q, QuerySet

from agreements.models import TrainingAgreement
from caselogs import choices as c
from caselogs.models import Case
from caselogs.selectors import with_verified_view
from phases.criteria import FAILURE_KINDS
from phases.selectors import learning_curve_for
from reconciliation.selectors import reconciliation_for_report

from .indicators import indicators_for, percent_of
from .models import QualityStandard
from .standards import Judgement, standard_judge, standards_in_force

# (label, Indicators attribute, standard key): rates judged against a standard.
JUDGED_RATES = [
    (
        "Successful reperfusion (eTICI 2b50 or better)",
        "successful_reperfusion_percent",
        "successful_reperfusion",
    ),
    ("Any procedural complication", "any_complication_percent", "any_complication_percent"),
    ("90-day mRS 0-2", "mrs_0_2_percent", "mrs_0_2_at_90_days_percent"),
    ("90-day mortality", "mortality_90_days_percent", "mortality_90_days_percent"),
    ("Entered in SSNAP", "ssnap_entered_percent", "ssnap_entered_percent"),
]
# Time standard key -> the minutes it is measured on, as an expression over a case's recorded
# intervals. None: the logbook does not record it (the report says so rather than guess).
TIME_MEASURES = {
    "door_to_imaging_within_30_min_percent": F("door_to_imaging_minutes"),
    "door_to_puncture_minutes": F("door_to_puncture_minutes"),
    "door_to_reperfusion_minutes": F("door_to_puncture_minutes")
    + F("puncture_to_reperfusion_minutes"),
    "referring_imaging_to_puncture_minutes": None,
    "imaging_to_puncture_within_60_min_percent": F("door_to_puncture_minutes")
    - F("door_to_imaging_minutes"),
    "door_in_door_out_minutes": F("door_in_door_out_minutes"),
}
# A national report could cover thousands of trainees; past this many curves the report names how
# many were left out, and a report per trainee shows the rest.
MAX_LEARNING_CURVES = 40


def _standard_columns(standard: QualityStandard | None) -> dict:
    return {
        "key": standard.key if standard else "",
        "standard": standard.target_display if standard else "no standard in force",
        "source": standard.source if standard else "",
        "status": standard.status if standard else "",
        "target": float(standard.value) if standard and standard.value is not None else None,
    }


def judged_rates(figures: dict, standards: dict) -> list[dict]:
    rows = []
    for label, attribute, key in JUDGED_RATES:
        standard = standards.get(key)
        observed = figures[attribute]
        rows.append(
            {
                "label": label,
                "observed": observed,
                "unit": "%",
                "judgement": standard_judge(standard, observed) if standard else "no standard",
                **_standard_columns(standard),
            }
        )
    return rows


def judged_times(mt_cases: QuerySet[Case], standards: dict) -> list[dict]:
    """Each time standard in force, measured on the cases that record what it needs."""
    rows = []
    for key, expression in TIME_MEASURES.items():
        standard = standards.get(key)
        if standard is None:
            continue
        row = {
            "label": standard.label,
            "unit": "%" if standard.unit == "%" else "minutes",
            "measure": standard.measure,
            **_standard_columns(standard),
        }
        if expression is None:
            rows.append({**row, "observed": None, "n": 0, "judgement": "not recorded"})
            continue
        minutes = list(
            mt_cases.annotate(measured=expression)
            .filter(measured__isnull=False)
            .values_list("measured", flat=True)
        )
        if standard.measure == "proportion_within":
            observed = percent_of(
                sum(1 for m in minutes if m <= standard.within_minutes), len(minutes)
            )
        else:
            observed = float(median(minutes)) if minutes else None
        rows.append(
            {
                **row,
                "observed": observed,
                "n": len(minutes),
                "judgement": standard_judge(standard, observed),
            }
        )
    return rows


def learning_curves(cases: QuerySet[Case]) -> tuple[list[dict], int]:
    """The CUSUM of every trainee with cases in scope (their current phase, as on the day the
    report is asked for: the same curve as their learning-curve page), and how many were left
    out past the limit."""
    agreements = list(
        TrainingAgreement.objects.filter(pk__in=cases.order_by().values("agreement_id"))
        .select_related("trainee")
        .order_by("trainee__full_name", "pk")[: MAX_LEARNING_CURVES + 1]
    )
    left_out = 0
    if len(agreements) > MAX_LEARNING_CURVES:
        left_out = cases.order_by().values("agreement_id").distinct().count() - MAX_LEARNING_CURVES
    curves = []
    for agreement in agreements[:MAX_LEARNING_CURVES]:
        curve = learning_curve_for(agreement)
        curves.append(
            {
                "trainee": agreement.trainee.full_name,
                "agreement": agreement.reference,
                "parameters": asdict(curve.parameters),
                "values": [round(v, 4) for v in curve.values],
                "crossings": [asdict(crossing) for crossing in curve.crossings],
                "failure_kinds": list(FAILURE_KINDS),
                "acceptable": curve.shows_acceptable_performance,
                "unacceptable": curve.signals_unacceptable_performance,
            }
        )
    return curves, left_out


def cases_per_operator(cases: QuerySet[Case]) -> tuple[list[dict], int]:
    """Each operator's verified cases in scope, in one grouped query: all procedures,
    thrombectomies, and thrombectomies as primary operator (as the supervisor verified the role);
    cut at the same limit as the curves, saying how many more."""
    mt = Q(procedure=c.Procedure.MT)
    rows = list(
        cases.order_by()
        .values("trainee__full_name", "trainee_id")
        .annotate(
            all=Count("pk"),
            mt=Count("pk", filter=mt),
            mt_primary=Count("pk", filter=mt & Q(verified_role=c.TraineeRole.PRIMARY_OPERATOR)),
        )
        .order_by("trainee__full_name", "trainee_id")
    )
    operators = [
        {
            "operator": row["trainee__full_name"],
            "all": row["all"],
            "mt": row["mt"],
            "mt_primary": row["mt_primary"],
        }
        for row in rows[:MAX_LEARNING_CURVES]
    ]
    return operators, max(len(rows) - MAX_LEARNING_CURVES, 0)


def report_snapshot(cases: QuerySet[Case]) -> dict:
    """Everything the report prints, computed now from these verified cases."""
    figures = asdict(indicators_for(cases))
    standards = standards_in_force()
    curves, curves_left_out = learning_curves(cases)
    judged = judged_rates(figures, standards)
    times = judged_times(cases.filter(procedure=c.Procedure.MT), standards)
    operators, operators_left_out = cases_per_operator(with_verified_view(cases))
    return {
        "figures": figures,
        "judged": judged,
        "times": times,
        "operators": operators,
        "operators_left_out": operators_left_out,
        "learning_curves": curves,
        "learning_curves_left_out": curves_left_out,
        # Issue 16: the hospital's lists and the quarterly samples against these cases.
        "reconciliation": reconciliation_for_report(cases),
        "not_met": sum(1 for row in judged + times if row["judgement"] == Judgement.NOT_MET),
        "standards_version": next(iter(standards.values())).standard_set.version
        if standards
        else None,
    }
