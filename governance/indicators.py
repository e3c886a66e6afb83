"""The audit indicators (SPEC section 7) for a set of verified cases.

Counts and rates are database aggregates; medians and quartiles read one column of minutes at a
time, because SQLite has no percentile function. Everything is computed from verified cases only.
"""

from collections import Counter
from dataclasses import dataclass, field
from statistics import quantiles

from django.db.models import Count, Q, QuerySet

from caselogs import choices as c
from caselogs.models import INTERVAL_LIMITS, Case

INTERVAL_FIELDS = list(INTERVAL_LIMITS)
COMPLETENESS_FIELDS = [
    "age", "sex", "pre_stroke_mrs", "nihss_baseline", "aspects", "occlusion_site", "thrombolysis",
    "onset_to_arrival_minutes", "door_to_imaging_minutes", "door_to_puncture_minutes",
    "puncture_to_reperfusion_minutes", "anaesthesia", "technique", "first_pass_etici",
    "haemorrhage", "nihss_24h", "mrs_90_days", "ssnap_entered",
]


def percent_of(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class IntervalSummary:
    field: str
    label: str
    n: int
    median: float | None
    q1: float | None
    q3: float | None


@dataclass
class Indicators:
    mt_cases: int
    by_procedure: dict
    successful_reperfusion_percent: float | None
    excellent_reperfusion_percent: float | None
    first_pass_effect_percent: float | None
    any_complication_percent: float | None
    complications: dict = field(default_factory=dict)
    sich_by_definition: dict = field(default_factory=dict)
    intervals: list = field(default_factory=list)
    mrs_0_2_percent: float | None = None
    mrs_recorded: int = 0
    mortality_90_days_percent: float | None = None
    ssnap_entered_percent: float | None = None
    completeness: dict = field(default_factory=dict)


def _interval(cases: QuerySet[Case], name: str) -> IntervalSummary:
    values = sorted(cases.exclude(**{f"{name}__isnull": True}).values_list(name, flat=True))
    label = Case._meta.get_field(name).verbose_name
    if not values:
        return IntervalSummary(name, label, 0, None, None, None)
    if len(values) == 1:
        return IntervalSummary(name, label, 1, float(values[0]), float(values[0]), float(values[0]))
    q1, median, q3 = quantiles(values, n=4, method="inclusive")
    return IntervalSummary(name, label, len(values), median, q1, q3)


def indicators_for(verified: QuerySet[Case]) -> Indicators:
    """Indicators over verified cases (the caller narrows them to a scope and period)."""
    by_procedure = dict(verified.order_by().values_list("procedure").annotate(n=Count("pk")))
    mt = verified.filter(procedure=c.Procedure.MT)
    totals = mt.aggregate(
        n=Count("pk"),
        successful=Count("pk", filter=Q(final_etici__in=c.SUCCESSFUL_REPERFUSION)),
        excellent=Count("pk", filter=Q(final_etici__in=c.EXCELLENT_REPERFUSION)),
        first_pass=Count("pk", filter=Q(passes=1, final_etici__in=c.EXCELLENT_REPERFUSION)
                         & ~Q(rescue_therapy=True)),
        complicated=Count("pk", filter=Q(any_complication=True)),
        mrs_recorded=Count("pk", filter=Q(mrs_90_days__isnull=False)),
        mrs_good=Count("pk", filter=Q(mrs_90_days__lte=2)),
        died=Count("pk", filter=Q(mrs_90_days=6)),
        ssnap=Count("pk", filter=Q(ssnap_entered=True)),
        **{f"has_{name}": Count("pk", filter=~Q(**{name: ""}) & Q(**{f"{name}__isnull": False}))
           if Case._meta.get_field(name).get_internal_type() in ("CharField", "TextField")
           else Count("pk", filter=Q(**{f"{name}__isnull": False}))
           for name in COMPLETENESS_FIELDS},
    )
    n = totals["n"]
    complications = _complication_counts(mt)
    sich = dict(
        mt.filter(haemorrhage_symptomatic=True).order_by()
        .values_list("sich_definition").annotate(k=Count("pk"))
    )
    return Indicators(
        mt_cases=n,
        by_procedure=by_procedure,
        successful_reperfusion_percent=percent_of(totals["successful"], n),
        excellent_reperfusion_percent=percent_of(totals["excellent"], n),
        first_pass_effect_percent=percent_of(totals["first_pass"], n),
        any_complication_percent=percent_of(totals["complicated"], n),
        complications={k: v for k, v in complications.items() if v},
        sich_by_definition={c.SICHDefinition(k).label: v for k, v in sich.items() if k},
        intervals=[_interval(mt, name) for name in INTERVAL_FIELDS],
        mrs_0_2_percent=percent_of(totals["mrs_good"], totals["mrs_recorded"]),
        mrs_recorded=totals["mrs_recorded"],
        mortality_90_days_percent=percent_of(totals["died"], totals["mrs_recorded"]),
        ssnap_entered_percent=percent_of(totals["ssnap"], n),
        completeness={
            Case._meta.get_field(name).verbose_name: percent_of(totals[f"has_{name}"], n)
            for name in COMPLETENESS_FIELDS
        },
    )


def _complication_counts(cases: QuerySet[Case]) -> dict[str, int]:
    # SQLite has no JSON "contains" lookup, so the lists are read (one column, one query) and
    # counted here.
    counts = Counter()
    for listed in cases.exclude(complications=[]).values_list("complications", flat=True):
        counts.update(set(listed or []))
    return {c.Complication(value).label: counts[value] for value in c.Complication.values}
