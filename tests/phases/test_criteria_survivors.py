"""Each criterion's progress row in full, at the edges mutation testing found unguarded: the
default activity kind and procedure when a criterion names none, the noun in the missing words,
nothing missing once met, a competency criterion's words for one and for two signers, and only
the current agreement's evidence when the trainee had an earlier one that ended early (issue 19:
tests written for the survivors of `make mutants MUTANTS='phases.criteria.*'`, docs/testing.md).
"""

import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest

from agreements.models import AgreementCriterion
from caselogs.activity_services import assessment_record
from phases.criteria import CriterionProgress, EvidenceScope, evaluate_criteria
from phases.models import Competency
from phases.services import competency_sign

from ..agreements.conftest import World, ended_early_and_agreed_again
from .conftest import add_activity, add_case, phase_of

pytestmark = pytest.mark.django_db

ANGIOGRAM = {"procedure": "diagnostic_angiogram", "final_etici": "", "passes": None}


def _criterion(world: World, kind: str, target: int, **parameters: object) -> AgreementCriterion:
    return AgreementCriterion(
        pk=73,
        version=world.version,  # type: ignore[attr-defined]  # the test world gains attributes in its builder
        phase=2,
        kind=kind,
        target=Decimal(target),
        parameters=parameters,
        description=f"The {kind} criterion",
        source="Written for this test",
    )


def _evaluate(world: World, criterion: AgreementCriterion) -> CriterionProgress:
    agreement = world.agreement  # type: ignore[attr-defined]  # the test world gains attributes in its builder
    scope = EvidenceScope(agreement.pk, world.trainee.pk, phase_of(world).started_on)
    return evaluate_criteria([criterion], scope)[0]


def _row(
    criterion: AgreementCriterion,
    required: str,
    current: str,
    met: bool,
    missing: str,
    evidence: dict,
) -> CriterionProgress:
    return CriterionProgress(
        73, criterion.description, criterion.source, required, current, met, missing, evidence
    )


def _sign(world: World, supervisor: object, competency: str) -> None:
    competency_sign(
        agreement=world.agreement,  # type: ignore[attr-defined]  # the test world gains attributes in its builder
        supervisor=supervisor,  # type: ignore[arg-type]  # a supervisor from the world, typed loosely there
        competency=competency,
    )


# Cases and activities: the defaults, the noun, nothing missing once met.


def test_a_cases_criterion_naming_no_procedure_counts_thrombectomies_only(trainee_world):
    criterion = _criterion(trainee_world, "cases", 2)
    thrombectomy = add_case(trainee_world)
    add_case(trainee_world, **ANGIOGRAM)
    assert _evaluate(trainee_world, criterion) == _row(
        criterion, "2", "1", False, "1 more verified cases needed", {"ids": [thrombectomy.pk]}
    )


def test_a_cases_criterion_counts_the_procedure_it_names_and_says_nothing_once_met(
    trainee_world,
):
    criterion = _criterion(trainee_world, "cases", 2, procedure="diagnostic_angiogram")
    angiograms = [add_case(trainee_world, **ANGIOGRAM) for _ in range(2)]
    add_case(trainee_world)  # a thrombectomy
    assert _evaluate(trainee_world, criterion) == _row(
        criterion, "2", "2", True, "", {"ids": sorted(case.pk for case in angiograms)}
    )


def test_a_cases_criterion_within_the_phase_leaves_out_cases_before_it(trainee_world):
    started = phase_of(trainee_world).started_on
    before = (date.today() - started).days + 1
    add_case(trainee_world, days_ago=before)  # the day before the phase started
    on_the_day = add_case(trainee_world, days_ago=before - 1)
    criterion = _criterion(trainee_world, "cases", 1, within_phase=True)
    assert _evaluate(trainee_world, criterion) == _row(
        criterion, "1", "1", True, "", {"ids": [on_the_day.pk]}
    )


def test_an_activities_criterion_naming_no_kind_counts_mdt_meetings_only(trainee_world):
    criterion = _criterion(trainee_world, "activities", 2)
    mdt = add_activity(trainee_world)
    add_activity(trainee_world, kind="teaching")
    assert _evaluate(trainee_world, criterion) == _row(
        criterion, "2", "1", False, "1 more confirmed activities needed", {"ids": [mdt.pk]}
    )


def test_an_activities_criterion_counts_the_kind_it_names(trainee_world):
    criterion = _criterion(trainee_world, "activities", 1, activity="teaching")
    add_activity(trainee_world)  # an MDT meeting
    teaching = add_activity(trainee_world, kind="teaching")
    assert _evaluate(trainee_world, criterion) == _row(
        criterion, "1", "1", True, "", {"ids": [teaching.pk]}
    )


# Competencies: the words for one signer and for two, one competency or several.


def test_a_competency_short_of_two_signers_names_two_distinct_inrs(trainee_world):
    criterion = _criterion(
        trainee_world, "competencies", 1, competencies=["mt_technique"], signers_required=2
    )
    _sign(trainee_world, trainee_world.lead_supervisor, Competency.MT_TECHNIQUE)
    assert _evaluate(trainee_world, criterion) == _row(
        criterion,
        "1 competency",
        "0 of 1",
        False,
        "Still to be signed off by two distinct INRs: Thrombectomy technique",
        {"signed": []},
    )
    _sign(trainee_world, trainee_world.second_supervisor, Competency.MT_TECHNIQUE)
    assert _evaluate(trainee_world, criterion) == _row(
        criterion, "1 competency", "1 of 1", True, "", {"signed": ["mt_technique"]}
    )


def test_competencies_wanting_one_signer_list_each_one_still_unsigned(trainee_world):
    criterion = _criterion(
        trainee_world,
        "competencies",
        3,
        competencies=["stroke_management", "mt_technique", "aftercare"],
    )
    _sign(trainee_world, trainee_world.lead_supervisor, Competency.MT_TECHNIQUE)
    assert _evaluate(trainee_world, criterion) == _row(
        criterion,
        "3 competencies",
        "1 of 3",
        False,
        "Still to be signed off by 1 INR(s): Principles of stroke management; Aftercare",
        {"signed": ["mt_technique"]},
    )


def test_a_competency_wanting_three_signers_says_so(trainee_world):
    criterion = _criterion(
        trainee_world, "competencies", 1, competencies=["aftercare"], signers_required=3
    )
    _sign(trainee_world, trainee_world.lead_supervisor, Competency.AFTERCARE)
    _sign(trainee_world, trainee_world.second_supervisor, Competency.AFTERCARE)
    assert _evaluate(trainee_world, criterion) == _row(
        criterion,
        "1 competency",
        "0 of 1",
        False,
        "Still to be signed off by 3 INR(s): Aftercare",
        {"signed": []},
    )


# The reperfusion rate's row in full.


def test_the_reperfusion_rate_row_names_its_criterion_and_the_cases_behind_it(trainee_world):
    criterion = _criterion(trainee_world, "reperfusion_rate", 50, last_n=2)
    older = add_case(trainee_world, days_ago=6)
    newer = add_case(trainee_world, days_ago=5, final_etici="1", passes=3)
    assert _evaluate(trainee_world, criterion) == _row(
        criterion, "50% of the last 2", "50.0% (1 of 2)", True, "", {"ids": [newer.pk, older.pk]}
    )


# A trainee whose earlier agreement ended early, then a new one: only the new one's evidence.


def _ended_and_new(world: World) -> World:
    """The world of the same trainee's new agreement, after the first ended early."""
    new = copy.copy(world)
    new.version = ended_early_and_agreed_again(world, world.version)  # type: ignore[attr-defined]  # the test world gains attributes in its builder
    new.agreement = new.version.agreement  # type: ignore[attr-defined]  # the test world gains attributes in its builder
    return new


def _assess(world: World, case: object) -> object:
    return assessment_record(
        assessor=world.lead_supervisor,
        trainee=world.trainee,
        data={
            "kind": "procedural",
            "case": case,
            "assessed_on": date.today() - timedelta(days=40),
            "entrustment": 4,
            "strengths": "Steady catheter work.",
            "development_points": "Plan the second pass.",
        },
    )


def test_evidence_of_an_earlier_agreement_that_ended_early_counts_for_none_of_the_new_one(
    trainee_world,
):
    earlier = trainee_world
    earlier_case = add_case(earlier, days_ago=40, supervisor=earlier.second_supervisor)
    add_case(earlier, days_ago=41, **ANGIOGRAM)
    add_activity(earlier)
    _assess(earlier, earlier_case)
    _sign(earlier, earlier.lead_supervisor, Competency.AFTERCARE)
    new = _ended_and_new(earlier)
    case = add_case(new, days_ago=2)

    def result(kind: str, target: int, **parameters: object) -> CriterionProgress:
        return _evaluate(new, _criterion(new, kind, target, **parameters))

    assert result("cases", 2) == _row(
        _criterion(new, "cases", 2),
        "2",
        "1",
        False,
        "1 more verified cases needed",
        {"ids": [case.pk]},
    )
    angiograms = result("diagnostic_angiograms", 1)
    assert (angiograms.current, angiograms.evidence) == ("0", {"ids": []})
    verifiers = result("distinct_verifiers", 2)
    assert (verifiers.current, verifiers.evidence) == ("1", {"ids": [new.lead_supervisor.pk]})
    activities = result("activities", 1)
    assert (activities.current, activities.evidence) == ("0", {"ids": []})
    assessments = result("assessments", 1)
    assert (assessments.current, assessments.evidence) == ("0", {"ids": []})
    competencies = result("competencies", 1, competencies=["aftercare"])
    assert (competencies.current, competencies.evidence) == ("0 of 1", {"signed": []})
    rate = result("reperfusion_rate", 50, last_n=2)
    assert (rate.current, rate.evidence) == ("100.0% (1 of 1)", {"ids": [case.pk]})


def test_an_assistants_thrombectomy_is_in_neither_the_rate_nor_the_curve(trainee_world):
    first = add_case(trainee_world, days_ago=10)
    second = add_case(trainee_world, days_ago=5)
    add_case(trainee_world, days_ago=1, trainee_role="assistant", final_etici="1", passes=3)
    rate = _evaluate(trainee_world, _criterion(trainee_world, "reperfusion_rate", 90, last_n=2))
    assert (rate.current, rate.met, rate.evidence) == (
        "100.0% (2 of 2)",
        True,
        {"ids": [second.pk, first.pk]},
    )
    curve = _evaluate(
        trainee_world,
        _criterion(trainee_world, "learning_curve", 0, p0=0.1, p1=0.25, alpha=0.05, beta=0.2),
    )
    assert curve.evidence == {"cases": 2, "crossings": []}


def test_of_two_thrombectomies_on_one_day_the_later_logged_is_the_more_recent(trainee_world):
    add_case(trainee_world, days_ago=3)
    later = add_case(trainee_world, days_ago=3, final_etici="1", passes=3)
    rate = _evaluate(trainee_world, _criterion(trainee_world, "reperfusion_rate", 50, last_n=1))
    assert (rate.current, rate.evidence) == ("0.0% (0 of 1)", {"ids": [later.pk]})
