"""The audit indicators match an independent computation, case by case, on a fixture dataset."""

import random
from statistics import median

import pytest

from caselogs.selectors import verified_cases
from governance.indicators import indicators_for

from ..phases.conftest import add_case

pytestmark = pytest.mark.django_db

GRADES = ["0", "1", "2a", "2b50", "2b67", "2c", "3"]


def _dataset(world, rng, n=40):
    cases = []
    for i in range(n):
        grade = rng.choice(GRADES)
        passes = rng.randint(1, 3)
        complications = rng.choice(
            [[], [], ["dissection"], ["access_haematoma", "distal_embolisation"]]
        )
        symptomatic = rng.random() < 0.15
        mrs = rng.choice([None, 0, 1, 2, 3, 4, 6])
        data = dict(
            final_etici=grade,
            passes=passes,
            rescue_therapy=rng.random() < 0.1,
            any_complication=bool(complications),
            complications=complications,
            haemorrhage="2" if symptomatic else "none",
            haemorrhage_symptomatic=symptomatic,
            sich_definition=rng.choice(["heidelberg", "ecass3"]) if symptomatic else "",
            door_to_puncture_minutes=rng.randint(40, 150),
            door_to_imaging_minutes=rng.randint(5, 39),
            puncture_to_reperfusion_minutes=rng.choice([None, rng.randint(10, 90)]),
            mrs_90_days=mrs,
            mrs_90_days_method="telephone" if mrs is not None else "",
            ssnap_entered=rng.random() < 0.8,
            age=rng.choice([None, rng.randint(40, 90)]),
        )
        cases.append(add_case(world, verify=i % 7 != 0, **data))  # every 7th stays unverified
    return cases


def test_every_indicator_matches_a_hand_computation(trainee_world):
    rng = random.Random(5)
    cases = _dataset(trainee_world, rng)
    mine = [case for case in cases if case.status == "verified" or _reloaded_verified(case)]
    got = indicators_for(verified_cases())

    def pct(k, n):
        return round(100 * k / n, 1) if n else None

    mt = [case for case in mine if case.procedure == "mt"]
    n = len(mt)
    assert got.mt_cases == n == 34
    assert got.successful_reperfusion_percent == pct(
        sum(x.final_etici in {"2b50", "2b67", "2c", "3"} for x in mt), n
    )
    assert got.excellent_reperfusion_percent == pct(
        sum(x.final_etici in {"2c", "3"} for x in mt), n
    )
    assert got.first_pass_effect_percent == pct(
        sum(x.passes == 1 and x.final_etici in {"2c", "3"} and not x.rescue_therapy for x in mt), n
    )
    assert got.any_complication_percent == pct(sum(bool(x.complications) for x in mt), n)
    assert got.complications.get("Arterial dissection", 0) == sum(
        "dissection" in x.complications for x in mt
    )
    assert got.complications.get("Access haematoma", 0) == sum(
        "access_haematoma" in x.complications for x in mt
    )
    sich = {}
    for x in mt:
        if x.haemorrhage_symptomatic:
            label = {"heidelberg": "Heidelberg", "ecass3": "ECASS III"}[x.sich_definition]
            sich[label] = sich.get(label, 0) + 1
    assert got.sich_by_definition == sich
    door = sorted(x.door_to_puncture_minutes for x in mt)
    summary = next(i for i in got.intervals if i.field == "door_to_puncture_minutes")
    assert summary.n == len(door) and summary.median == median(door)
    assert summary.q1 == pytest.approx(_interpolated(door, 0.25))
    assert summary.q3 == pytest.approx(_interpolated(door, 0.75))
    recorded = [x for x in mt if x.mrs_90_days is not None]
    assert got.mrs_0_2_percent == pct(sum(x.mrs_90_days <= 2 for x in recorded), len(recorded))
    assert got.mortality_90_days_percent == pct(
        sum(x.mrs_90_days == 6 for x in recorded), len(recorded)
    )
    assert got.ssnap_entered_percent == pct(sum(bool(x.ssnap_entered) for x in mt), n)
    assert got.completeness["age (years)"] == pct(sum(x.age is not None for x in mt), n)
    assert got.completeness["puncture to reperfusion"] == pct(
        sum(x.puncture_to_reperfusion_minutes is not None for x in mt), n
    )


def _interpolated(ordered, fraction):
    """The quartile by linear interpolation between order statistics, written out by hand."""
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _reloaded_verified(case):
    case.refresh_from_db()
    return case.status == "verified"
