"""What the progress page shows for a criterion, in full: its own description and source, what
is required, where the trainee is, what is missing in words, and the evidence behind the count.
Also the CUSUM's edges: reaching a limit exactly is crossing it, and unset parameters keep the SPEC
defaults (issue 19: tests written for the survivors of mutation testing, docs/testing.md)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from agreements.models import AgreementCriterion
from caselogs.activity_services import assessment_record
from phases.criteria import CriterionProgress, EvidenceScope, evaluate_criteria
from phases.cusum import LOWER, UPPER, Crossing, CusumParameters, cusum_curve

from .conftest import add_case, phase_of

pytestmark = pytest.mark.django_db

ANGIOGRAM = {"procedure": "diagnostic_angiogram", "final_etici": "", "passes": None}


def _criterion(world, kind: str, target, **parameters) -> AgreementCriterion:
    return AgreementCriterion(
        pk=41,
        version=world.version,
        phase=2,
        kind=kind,
        target=Decimal(target),
        parameters=parameters,
        description=f"The {kind} criterion",
        source="Written for this test",
    )


def _evaluate(world, criterion, phase_started_on=None) -> CriterionProgress:
    started = phase_started_on or phase_of(world).started_on
    scope = EvidenceScope(world.agreement.pk, world.trainee.pk, started)
    return evaluate_criteria([criterion], scope)[0]


def _progress(criterion, required, current, met, missing, evidence) -> CriterionProgress:
    return CriterionProgress(
        41, criterion.description, criterion.source, required, current, met, missing, evidence
    )


def test_angiograms_short_of_the_target_say_how_many_more_and_which_count(trainee_world):
    criterion = _criterion(trainee_world, "diagnostic_angiograms", 3)
    counted = [add_case(trainee_world, **ANGIOGRAM) for _ in range(2)]
    add_case(trainee_world, verify=False, **ANGIOGRAM)
    add_case(trainee_world)  # a thrombectomy
    assert _evaluate(trainee_world, criterion) == _progress(
        criterion,
        "3",
        "2",
        False,
        "1 more verified angiograms needed",
        {"ids": sorted(case.pk for case in counted)},
    )


def test_weeks_in_the_phase_are_whole_weeks_and_say_how_many_remain(trainee_world):
    started = timezone.localdate() - timedelta(days=7 * 5 + 6)  # five weeks and six days
    criterion = _criterion(trainee_world, "minimum_weeks", 8)
    assert _evaluate(trainee_world, criterion, started) == _progress(
        criterion, "8 weeks", "5 weeks", False, "3 more weeks in this phase", {}
    )
    enough = _criterion(trainee_world, "minimum_weeks", 5)
    assert _evaluate(trainee_world, enough, started) == _progress(
        enough, "5 weeks", "5 weeks", True, "", {}
    )


CURVE = {"p0": 0.10, "p1": 0.25, "alpha": 0.05, "beta": 0.20}


def test_a_learning_curve_not_yet_crossed_says_where_it_is_and_where_it_must_reach(
    trainee_world,
):
    criterion = _criterion(trainee_world, "learning_curve", 0, **CURVE)
    add_case(trainee_world)
    assert _evaluate(trainee_world, criterion) == _progress(
        criterion,
        "crosses the lower limit (-1.42)",
        "-0.17 after 1 case",
        False,
        "The curve is at -0.17; it must reach -1.42",
        {"cases": 1, "crossings": []},
    )


def test_a_met_learning_curve_has_nothing_missing(trainee_world):
    criterion = _criterion(trainee_world, "learning_curve", 0, **CURVE)
    for _ in range(9):
        add_case(trainee_world)
    result = _evaluate(trainee_world, criterion)
    assert result.met and result.missing == ""
    assert (result.criterion_id, result.description, result.source) == (
        41,
        criterion.description,
        criterion.source,
    )


def test_after_an_upper_crossing_the_missing_words_name_the_lower_limit(trainee_world):
    criterion = _criterion(trainee_world, "learning_curve", 0, **CURVE)
    for _ in range(4):
        add_case(trainee_world, final_etici="1", passes=3)
    assert _evaluate(trainee_world, criterion).missing == (
        "Crossed the unacceptable limit at case 4; the curve restarted from zero and must reach "
        "-1.42 again"
    )


def test_the_curve_takes_cases_in_the_order_they_were_performed_not_logged(trainee_world):
    """Four successes logged first but performed last, four failures logged after but performed
    first: in the order performed the failures cross the upper limit at case 4."""
    criterion = _criterion(trainee_world, "learning_curve", 0, **CURVE)
    for days_ago in (4, 3, 2, 1):
        add_case(trainee_world, days_ago=days_ago)
    for days_ago in (24, 23, 22, 21):
        add_case(trainee_world, days_ago=days_ago, final_etici="1", passes=3)
    evidence = _evaluate(trainee_world, criterion).evidence
    assert evidence["crossings"] == [{"case": 4, "limit": "upper"}]


def test_reaching_the_lower_limit_exactly_is_crossing_it():
    # (1 - alpha) / beta = (1 - p0) / (1 - p1) = 2, so one success takes the sum to -h0 exactly.
    parameters = CusumParameters(p0=0.5, p1=0.75, alpha=0.2, beta=0.4)
    assert -parameters.s == -parameters.h0
    curve = cusum_curve([False], parameters)
    assert curve.crossings == (Crossing(1, LOWER),)
    assert curve.parameters == parameters


def test_reaching_the_upper_limit_exactly_is_crossing_it():
    parameters = CusumParameters(p0=0.05, p1=0.4, alpha=0.1, beta=0.2)
    assert 1 - parameters.s == parameters.h1
    assert cusum_curve([True], parameters).crossings == (Crossing(1, UPPER),)


def test_parameters_a_criterion_leaves_unset_keep_the_defaults():
    defaults = CusumParameters()
    assert CusumParameters.from_values({}) == defaults
    assert CusumParameters.from_values({"alpha": "0.05"}) == CusumParameters(
        p0=defaults.p0, p1=defaults.p1, alpha=0.05, beta=defaults.beta
    )


def test_the_reperfusion_rate_in_words_with_none_enough_below_and_met(trainee_world):
    criterion = _criterion(trainee_world, "reperfusion_rate", 60, last_n=2)
    assert _evaluate(trainee_world, criterion) == _progress(
        criterion,
        "60% of the last 2",
        "0% (0 of 0)",
        False,
        "Only 0 of the 2 cases needed",
        {"ids": []},
    )
    first = add_case(trainee_world, days_ago=5, final_etici="2a", passes=3)
    second = add_case(trainee_world, days_ago=4)
    assert _evaluate(trainee_world, criterion) == _progress(
        criterion,
        "60% of the last 2",
        "50.0% (1 of 2)",
        False,
        "50.0% is below 60%",
        {"ids": [second.pk, first.pk]},
    )
    third = add_case(trainee_world, days_ago=3)
    assert _evaluate(trainee_world, criterion) == _progress(
        criterion,
        "60% of the last 2",
        "100.0% (2 of 2)",
        True,
        "",
        {"ids": [third.pk, second.pk]},
    )


def test_an_assessment_criterion_counts_the_kind_it_names(trainee_world):
    discussion = assessment_record(
        assessor=trainee_world.lead_supervisor,
        trainee=trainee_world.trainee,
        data={
            "kind": "case_based_discussion",
            "case": None,
            "assessed_on": timezone.localdate(),
            "entrustment": 2,
            "strengths": "Clear reasoning.",
            "development_points": "Name the alternatives.",
        },
    )
    criterion = _criterion(trainee_world, "assessments", 1, assessment="case_based_discussion")
    result = _evaluate(trainee_world, criterion)
    assert (result.current, result.met, result.evidence) == ("1", True, {"ids": [discussion.pk]})
