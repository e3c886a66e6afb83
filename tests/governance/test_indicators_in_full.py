"""Every audit indicator, every entry of it, against a computation written out case by case.

`test_indicators.py` checks the headline rates; this checks everything `indicators_for` returns:
the count of each procedure, every complication, every interval (none recorded, one, many), every
completeness field (text fields count only when not empty), the 90-day outcomes and sICH by
definition. It runs on whichever database the suite runs on, so both the PostgreSQL statements
and SQLite's column-by-column reading answer to it (docs/testing.md: `make mutants` on SQLite,
`tests/mutation_one_by_one.py` on PostgreSQL).
"""

import random
from collections import Counter

import pytest

from caselogs import choices as c
from caselogs.models import INTERVAL_LIMITS, Case
from caselogs.selectors import verified_cases
from governance.indicators import COMPLETENESS_FIELDS, indicators_for

from ..phases.conftest import add_case

pytestmark = pytest.mark.django_db

TEXT_FIELDS = {
    "sex": c.Sex.values,
    "occlusion_site": c.OcclusionSite.values,
    "thrombolysis": c.Thrombolysis.values,
    "anaesthesia": c.Anaesthesia.values,
    "technique": c.Technique.values,
}
GRADES = ["0", "1", "2a", "2b50", "2b67", "2c", "3"]


def _maybe(rng: random.Random, value):
    return value if rng.random() < 0.7 else None


def _mt_case(world, rng: random.Random, *, verify: bool):
    symptomatic = rng.random() < 0.25
    complications = rng.sample(c.Complication.values, rng.choice([0, 0, 1, 2, 3]))
    mrs = _maybe(rng, rng.choice([0, 1, 2, 3, 4, 5, 6]))
    aspects = _maybe(rng, rng.randint(0, 10))
    passes = rng.randint(1, 4)
    imaging = _maybe(rng, rng.randint(5, 60))
    data = dict(
        final_etici=rng.choice(GRADES),
        first_pass_etici=rng.choice(["", *GRADES]),
        passes=passes,
        rescue_therapy=rng.random() < 0.2,
        any_complication=bool(complications),
        complications=complications,
        haemorrhage=rng.choice(["1c", "2", "3a"]) if symptomatic else rng.choice(["", "none"]),
        haemorrhage_symptomatic=symptomatic,
        sich_definition=rng.choice(c.SICHDefinition.values) if symptomatic else "",
        mrs_90_days=mrs,
        mrs_90_days_method="telephone" if mrs is not None else "",
        ssnap_entered=rng.choice([True, False, None]),
        age=_maybe(rng, rng.randint(30, 95)),
        pre_stroke_mrs=_maybe(rng, rng.randint(0, 5)),
        nihss_baseline=_maybe(rng, rng.randint(0, 42)),
        nihss_24h=_maybe(rng, rng.randint(0, 42)),
        aspects=aspects,
        aspects_modality="ct" if aspects is not None else "",
        onset_to_arrival_minutes=_maybe(rng, rng.randint(30, 600)),
        door_to_imaging_minutes=imaging,
        door_to_puncture_minutes=_maybe(rng, rng.randint(61, 200)),
        puncture_to_reperfusion_minutes=_maybe(rng, rng.randint(10, 90)),
        **{name: rng.choice(["", *values]) for name, values in TEXT_FIELDS.items()},
    )
    return add_case(world, verify=verify, **data)


def _interpolated(ordered: list[int], fraction: float) -> float:
    """A quartile by linear interpolation between order statistics, written out by hand."""
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@pytest.fixture
def world_with_cases(trainee_world):
    rng = random.Random(19)
    mt = [_mt_case(trainee_world, rng, verify=i % 6 != 5) for i in range(36)]
    # One procedure time, for the interval with a single value; none records door-in-door-out.
    add_case(trainee_world, procedure_minutes=75, final_etici="3", passes=1)
    others = [
        add_case(trainee_world, procedure=procedure, final_etici="", passes=None, verify=verify)
        for procedure, verify in [
            ("diagnostic_angiogram", True),
            ("diagnostic_angiogram", True),
            ("diagnostic_angiogram", False),
            ("carotid_stenting", True),
            ("other_neuro", False),
        ]
    ]
    for case in [*mt, *others]:
        case.refresh_from_db()
    return trainee_world


def test_every_entry_of_every_indicator_matches_a_hand_computation(world_with_cases):
    verified = list(Case.objects.filter(status="verified"))
    mt = [case for case in verified if case.procedure == "mt"]
    n = len(mt)
    assert n == 31, "the fixture's mix: 30 of 36 verified, and the procedure-time case"

    got = indicators_for(verified_cases())

    assert got.by_procedure == {"mt": 31, "diagnostic_angiogram": 2, "carotid_stenting": 1}
    assert got.mt_cases == n
    successful = sum(x.final_etici in {"2b50", "2b67", "2c", "3"} for x in mt)
    excellent = [x for x in mt if x.final_etici in {"2c", "3"}]
    assert got.successful_reperfusion_percent == _percent(successful, n)
    assert got.excellent_reperfusion_percent == _percent(len(excellent), n)
    first_pass = sum(x.passes == 1 and not x.rescue_therapy for x in excellent)
    assert got.first_pass_effect_percent == _percent(first_pass, n)
    assert got.any_complication_percent == _percent(sum(x.any_complication for x in mt), n)

    listed = Counter(value for x in mt for value in x.complications)
    assert got.complications == {
        c.Complication(value).label: count for value, count in listed.items()
    }
    assert len(got.complications) >= 5, "the fixture lists several kinds of complication"
    sich = Counter(
        c.SICHDefinition(x.sich_definition).label for x in mt if x.haemorrhage_symptomatic
    )
    assert got.sich_by_definition == dict(sich) and len(sich) >= 2

    recorded = [x.mrs_90_days for x in mt if x.mrs_90_days is not None]
    assert got.mrs_recorded == len(recorded)
    assert got.mrs_0_2_percent == _percent(sum(m <= 2 for m in recorded), len(recorded))
    assert got.mortality_90_days_percent == _percent(recorded.count(6), len(recorded))
    assert got.ssnap_entered_percent == _percent(sum(x.ssnap_entered is True for x in mt), n)

    def recorded_in(x: Case, name: str) -> bool:
        value = getattr(x, name)
        return value not in ("", None)

    assert got.completeness == {
        Case._meta.get_field(name).verbose_name: _percent(sum(recorded_in(x, name) for x in mt), n)
        for name in COMPLETENESS_FIELDS
    }
    assert len(set(got.completeness.values())) >= 5, "the fields are filled in to different extents"

    assert [summary.field for summary in got.intervals] == list(INTERVAL_LIMITS)
    for summary in got.intervals:
        values = sorted(
            getattr(x, summary.field) for x in mt if getattr(x, summary.field) is not None
        )
        assert summary.label == Case._meta.get_field(summary.field).verbose_name
        assert summary.n == len(values), summary.field
        if not values:
            assert (summary.q1, summary.median, summary.q3) == (None, None, None)
            continue
        expected = [_interpolated(values, f) for f in (0.25, 0.5, 0.75)]
        assert [summary.q1, summary.median, summary.q3] == pytest.approx(expected), summary.field
    by_field = {summary.field: summary for summary in got.intervals}
    assert by_field["door_in_door_out_minutes"].n == 0
    assert by_field["procedure_minutes"].n == 1
    assert by_field["procedure_minutes"].median == 75.0
    assert by_field["door_to_puncture_minutes"].q1 < by_field["door_to_puncture_minutes"].q3


def test_with_no_verified_case_every_rate_is_unknown_not_zero(trainee_world):
    add_case(trainee_world, verify=False, mrs_90_days=2, mrs_90_days_method="telephone")

    got = indicators_for(verified_cases())

    assert got.mt_cases == 0 and got.by_procedure == {}
    assert got.successful_reperfusion_percent is None
    assert got.mrs_0_2_percent is None and got.mrs_recorded == 0
    assert got.complications == {} and got.sich_by_definition == {}
    assert set(got.completeness.values()) == {None}
    assert all(summary.n == 0 and summary.median is None for summary in got.intervals)


def test_a_complication_listed_twice_on_one_case_counts_once(trainee_world):
    # A list typed into an import ("dissection; dissection") keeps the repeat.
    add_case(trainee_world, any_complication=True, complications=["dissection", "dissection"])
    add_case(trainee_world, any_complication=True, complications=["dissection", "sah"])

    got = indicators_for(verified_cases())

    assert got.complications == {"Arterial dissection": 2, "Subarachnoid haemorrhage": 1}
    assert got.any_complication_percent == 100.0
