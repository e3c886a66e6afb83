"""The audit indicators (SPEC section 7) for a set of verified cases.

On PostgreSQL four statements, each a single scan: counts by procedure; the thrombectomy rates,
completeness and every interval's quartiles in one aggregate (``percentile_cont``, the same
linear interpolation as ``statistics.quantiles(method="inclusive")``); complications, unnested
from the few complicated cases; sICH by definition. At a national programme's million cases this
is about as fast as hand-written SQL (docs/performance.md).

SQLite has no percentile function and no JSON "contains": there the medians and quartiles read
one column of minutes at a time and complications are counted in Python. Everything is computed
from verified cases only.
"""

from collections import Counter
from dataclasses import dataclass, field
from statistics import quantiles
from typing import cast

from django.contrib.postgres.fields import ArrayField
from django.db import connections, models
from django.db.models import Aggregate, Count, FloatField, Func, Q, QuerySet
from django.utils.functional import Promise

from caselogs import choices as c
from caselogs.models import INTERVAL_LIMITS, Case

INTERVAL_FIELDS = list(INTERVAL_LIMITS)
COMPLETENESS_FIELDS = [
    "age",
    "sex",
    "pre_stroke_mrs",
    "nihss_baseline",
    "aspects",
    "occlusion_site",
    "thrombolysis",
    "onset_to_arrival_minutes",
    "door_to_imaging_minutes",
    "door_to_puncture_minutes",
    "puncture_to_reperfusion_minutes",
    "anaesthesia",
    "technique",
    "first_pass_etici",
    "haemorrhage",
    "nihss_24h",
    "mrs_90_days",
    "ssnap_entered",
]


def percent_of(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class IntervalSummary:
    field: str
    label: str | Promise
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
    label = cast(models.Field, Case._meta.get_field(name)).verbose_name  # Case's own columns
    if not values:
        return IntervalSummary(name, label, 0, None, None, None)
    if len(values) == 1:
        return IntervalSummary(name, label, 1, float(values[0]), float(values[0]), float(values[0]))
    q1, median, q3 = quantiles(values, n=4, method="inclusive")
    return IntervalSummary(name, label, len(values), median, q1, q3)


class Quartiles(Aggregate):
    """PostgreSQL's ``percentile_cont`` at 25, 50 and 75%: [q1, median, q3], or None."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = ArrayField(FloatField())


def _mt_aggregates() -> dict:
    """The thrombectomy figures, as aggregates over the MT cases."""

    def count(condition: Q) -> Count:
        return Count("pk", filter=condition)

    return dict(
        n=Count("pk"),
        successful=count(Q(final_etici__in=c.SUCCESSFUL_REPERFUSION)),
        excellent=count(Q(final_etici__in=c.EXCELLENT_REPERFUSION)),
        first_pass=count(
            Q(passes=1, final_etici__in=c.EXCELLENT_REPERFUSION) & ~Q(rescue_therapy=True)
        ),
        complicated=count(Q(any_complication=True)),
        mrs_recorded=count(Q(mrs_90_days__isnull=False)),
        mrs_good=count(Q(mrs_90_days__lte=2)),
        died=count(Q(mrs_90_days=6)),
        ssnap=count(Q(ssnap_entered=True)),
        **{
            f"has_{name}": count(~Q(**{name: ""}) & Q(**{f"{name}__isnull": False}))
            if cast(models.Field, Case._meta.get_field(name)).get_internal_type()
            in ("CharField", "TextField")
            else count(Q(**{f"{name}__isnull": False}))
            for name in COMPLETENESS_FIELDS
        },
    )


def _in_postgres(verified: QuerySet[Case]) -> tuple[dict, dict, dict, dict, list]:
    """PostgreSQL: the hand-written SQL's shape (bench/sql.py), statement for statement."""
    by_procedure = dict(verified.order_by().values_list("procedure").annotate(n=Count("pk")))
    mt = verified.filter(procedure=c.Procedure.MT).order_by()
    totals = mt.aggregate(
        **_mt_aggregates(),
        **{f"quartiles_{name}": Quartiles(name) for name in INTERVAL_FIELDS},
        **{f"count_{name}": Count(name) for name in INTERVAL_FIELDS},
    )
    intervals = []
    for name in INTERVAL_FIELDS:
        label = cast(models.Field, Case._meta.get_field(name)).verbose_name  # Case's own columns
        q1, median, q3 = totals[f"quartiles_{name}"] or (None, None, None)
        intervals.append(IntervalSummary(name, label, totals[f"count_{name}"], median, q1, q3))
    # One row per listed complication of the few complicated cases, rather than a JSON test per
    # complication on every case; distinct, as a case lists a complication at most once.
    listed = dict(
        mt.exclude(complications=[])
        .annotate(value=Func("complications", function="jsonb_array_elements_text"))
        .values_list("value")
        .annotate(n=Count("pk", distinct=True))
    )
    complications = {
        c.Complication(value).label: listed.get(value, 0) for value in c.Complication.values
    }
    sich = dict(
        mt.filter(haemorrhage_symptomatic=True)
        .values_list("sich_definition")
        .annotate(k=Count("pk"))
    )
    return totals, by_procedure, complications, sich, intervals


def _column_by_column(verified: QuerySet[Case]) -> tuple[dict, dict, dict, dict, list]:
    """SQLite: aggregates, then each interval's minutes and the complication lists read here."""
    by_procedure = dict(verified.order_by().values_list("procedure").annotate(n=Count("pk")))
    mt = verified.filter(procedure=c.Procedure.MT)
    totals = mt.aggregate(**_mt_aggregates())
    sich = dict(
        mt.filter(haemorrhage_symptomatic=True)
        .order_by()
        .values_list("sich_definition")
        .annotate(k=Count("pk"))
    )
    intervals = [_interval(mt, name) for name in INTERVAL_FIELDS]
    return totals, by_procedure, _complication_counts(mt), sich, intervals


def indicators_for(verified: QuerySet[Case]) -> Indicators:
    """Indicators over verified cases (the caller narrows them to a scope and period)."""
    if connections[verified.db].vendor == "postgresql":
        totals, by_procedure, complications, sich, intervals = _in_postgres(verified)
    else:
        totals, by_procedure, complications, sich, intervals = _column_by_column(verified)
    n = totals["n"]
    return Indicators(
        mt_cases=n,
        by_procedure=by_procedure,
        successful_reperfusion_percent=percent_of(totals["successful"], n),
        excellent_reperfusion_percent=percent_of(totals["excellent"], n),
        first_pass_effect_percent=percent_of(totals["first_pass"], n),
        any_complication_percent=percent_of(totals["complicated"], n),
        complications={k: v for k, v in complications.items() if v},
        sich_by_definition={c.SICHDefinition(k).label: v for k, v in sich.items() if k and v},
        intervals=intervals,
        mrs_0_2_percent=percent_of(totals["mrs_good"], totals["mrs_recorded"]),
        mrs_recorded=totals["mrs_recorded"],
        mortality_90_days_percent=percent_of(totals["died"], totals["mrs_recorded"]),
        ssnap_entered_percent=percent_of(totals["ssnap"], n),
        completeness={
            cast(models.Field, Case._meta.get_field(name)).verbose_name: percent_of(
                totals[f"has_{name}"], n
            )
            for name in COMPLETENESS_FIELDS
        },
    )


def _complication_counts(cases: QuerySet[Case]) -> dict[str, int]:
    # SQLite has no JSON "contains" lookup, so the lists are read (one column, one query) and
    # counted here.
    counts: Counter[str] = Counter()
    for listed in cases.exclude(complications=[]).values_list("complications", flat=True):
        counts.update(set(listed or []))
    return {c.Complication(value).label: counts[value] for value in c.Complication.values}
