"""Only this trainee's own evidence, of the kind and standing a criterion names, counts toward it:
not another trainee's on another agreement, not a verification that was a query or that a later
correction superseded, not an assistant's case or an angiogram in a thrombectomy rate. And a
criterion that leaves a parameter unset takes its stated default (issue 19: tests written for the
survivors of mutation testing, docs/testing.md)."""

import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Role
from accounts.services import backup_codes_set
from agreements.models import AgreementCriterion
from agreements.services import SupervisorChoice, agreement_create
from caselogs.activity_services import assessment_record
from caselogs.services import case_correct, case_verify
from phases.criteria import EvidenceScope, evaluate_criteria
from phases.models import Competency
from phases.services import competency_sign

from ..agreements.conftest import submit_and_sign_all, terms_for
from ..factories import TEST_BACKUP_CODES, make_member
from .conftest import add_case, phase_of

pytestmark = pytest.mark.django_db


def _criterion(world, kind: str, target, **parameters) -> AgreementCriterion:
    return AgreementCriterion(
        pk=0,
        version=world.version,
        phase=2,
        kind=kind,
        target=Decimal(target),
        parameters=parameters,
        description=kind,
        source="test",
    )


def _evaluate(world, criterion):
    scope = EvidenceScope(world.agreement.pk, world.trainee.pk, phase_of(world).started_on)
    return evaluate_criteria([criterion], scope)[0]


def _another_trainee(world):
    """A second trainee with the same supervisors, on an agreement of their own."""
    other = copy.copy(world)
    other.trainee = make_member(Role.TRAINEE, world.employer, full_name="Dr Other Trainee")
    backup_codes_set(actor=None, user=other.trainee, codes=TEST_BACKUP_CODES)
    agreement = agreement_create(
        actor=world.training_lead,
        trainee=other.trainee,
        terms=terms_for(world, start_date=date.today() - timedelta(days=120)),
        supervisors=SupervisorChoice(
            supervisors=[world.lead_supervisor, world.second_supervisor],
            lead=world.lead_supervisor,
        ),
        criteria_template=world.version.criteria_template,
    )
    other.version, _ = submit_and_sign_all(other, agreement)
    other.agreement = agreement
    return other


def _assess(world, *, kind="procedural", level=2):
    return assessment_record(
        assessor=world.lead_supervisor,
        trainee=world.trainee,
        data={
            "kind": kind,
            "case": add_case(world) if kind == "procedural" else None,
            "assessed_on": date.today(),
            "entrustment": level,
            "strengths": "Steady catheter work.",
            "development_points": "Plan the second pass.",
        },
    )


def test_another_trainees_evidence_counts_for_no_criterion_of_this_one(trainee_world):
    other = _another_trainee(trainee_world)
    add_case(other, supervisor=other.second_supervisor)
    _assess(other, level=4)
    competency_sign(
        agreement=other.agreement,
        supervisor=other.lead_supervisor,
        competency=Competency.MT_TECHNIQUE,
    )
    own = add_case(trainee_world)
    verifiers = _evaluate(trainee_world, _criterion(trainee_world, "distinct_verifiers", 2))
    assert (verifiers.current, verifiers.evidence) == ("1", {"ids": [own.supervisor_id]})
    assert verifiers.missing == "1 more verifying INRs needed"
    assessments = _evaluate(trainee_world, _criterion(trainee_world, "assessments", 1))
    assert (assessments.current, assessments.missing) == (
        "0",
        "1 more assessments at that level needed",
    )
    competencies = _evaluate(
        trainee_world, _criterion(trainee_world, "competencies", 1, competencies=["mt_technique"])
    )
    assert not competencies.met and competencies.evidence == {"signed": []}


def _correct(world, case, supervisor):
    case_correct(
        case=case,
        trainee=world.trainee,
        data={
            "reference": case.reference,
            "performed_on": case.performed_on,
            "site": case.site,
            "out_of_hours": False,
            "procedure": "mt",
            "trainee_role": "primary_operator",
            "supervisor": supervisor,
            "supervision_mode": "scrubbed",
            "final_etici": "2c",
            "passes": 2,
            "any_complication": False,
        },
    )


def test_a_verifier_counts_only_for_a_verification_that_still_stands(trainee_world):
    """A query is not a verification, and a verification that a correction superseded no longer
    stands: the second supervisor queried one case (since verified by the lead) and verified
    another that was then corrected, so only the lead counts."""
    world = trainee_world
    queried = add_case(world, verify=False, supervisor=world.second_supervisor)
    case_verify(
        case=queried,
        supervisor=world.second_supervisor,
        role_view=queried.trainee_role,
        mode_view=queried.supervision_mode,
        decision="queried",
        comment="Check the passes.",
    )
    _correct(world, queried, world.lead_supervisor)
    queried.refresh_from_db()
    case_verify(
        case=queried,
        supervisor=world.lead_supervisor,
        role_view=queried.trainee_role,
        mode_view=queried.supervision_mode,
        decision="verified",
    )
    superseded = add_case(world, supervisor=world.second_supervisor)
    _correct(world, superseded, world.second_supervisor)
    verifiers = _evaluate(world, _criterion(world, "distinct_verifiers", 1))
    assert (verifiers.current, verifiers.evidence) == ("1", {"ids": [world.lead_supervisor.pk]})


def test_assessments_default_to_procedural_ones_at_any_level(trainee_world):
    counted = _assess(trainee_world, level=1)
    _assess(trainee_world, kind="case_based_discussion", level=4)
    result = _evaluate(trainee_world, _criterion(trainee_world, "assessments", 2))
    assert (result.current, result.evidence) == ("1", {"ids": [counted.pk]})
    assert result.missing == "1 more assessments at that level needed"


def test_a_competency_needs_one_signer_unless_the_criterion_says_more(trainee_world):
    competency_sign(
        agreement=trainee_world.agreement,
        supervisor=trainee_world.lead_supervisor,
        competency=Competency.MT_TECHNIQUE,
    )
    criterion = _criterion(trainee_world, "competencies", 1, competencies=["mt_technique"])
    assert _evaluate(trainee_world, criterion).met
    nothing_named = _evaluate(trainee_world, _criterion(trainee_world, "competencies", 0))
    assert (nothing_named.required, nothing_named.met) == ("0 competencies", True)


def test_the_reperfusion_rate_takes_the_latest_thrombectomies_as_primary_operator(trainee_world):
    """The latest by the day performed, not the order logged; an assistant's thrombectomy and an
    angiogram are not in the rate."""
    world = trainee_world
    add_case(world, days_ago=1, final_etici="2a", passes=3)  # a failure, performed last
    add_case(world, days_ago=30, final_etici="3", passes=1)  # the oldest: left out
    add_case(world, days_ago=20, final_etici="3", passes=1)
    add_case(world, days_ago=2, trainee_role="assistant", final_etici="3", passes=1)
    add_case(world, days_ago=3, procedure="diagnostic_angiogram", final_etici="", passes=None)
    result = _evaluate(world, _criterion(world, "reperfusion_rate", 50, last_n=2))
    assert (result.current, result.met) == ("50.0% (1 of 2)", True)


def test_the_reperfusion_rate_looks_at_the_last_20_unless_told(trainee_world):
    add_case(trainee_world)
    result = _evaluate(trainee_world, _criterion(trainee_world, "reperfusion_rate", 80))
    assert result.required == "80% of the last 20"
    assert result.missing == "Only 1 of the 20 cases needed"
