"""What the phase selectors hand the progress page, the dashboard and the reports, read in full:
which version and phase they stand on, whose evidence counts, the learning curve's parameters and
scope, the order of requests. The page tests check words on the page; these check the rest."""

from datetime import date, timedelta

import pytest

from agreements.services import (
    agreement_amend,
    agreement_end_early,
)
from caselogs.services import case_log, case_verify
from phases.cusum import CusumParameters
from phases.models import PhaseRecord
from phases.selectors import (
    learning_curve_for,
    phase_history,
    progress_for,
    progression_requests_for,
    version_in_force,
)
from phases.services import progression_request_make
from signoffs.selectors import signoff_requests_for_subject

from ..agreements.conftest import (
    another_trainee_in_force,
    build_world,
    draft,
    sign_step,
    submit_and_sign_all,
)
from ..caselogs.conftest import mt_case_data
from .conftest import (
    TINY_CRITERIA,
    add_case,
    meet_phase_one,
    meet_phase_two,
    phase_of,
    small_world_build,
)

pytestmark = pytest.mark.django_db

PHASE_ONE = [row["description"] for row in TINY_CRITERIA if row["phase"] == 1]


def _second_agreement(world):
    """Another trainee, in force with the same supervisors: evidence that must never count for
    the world's own trainee."""
    return another_trainee_in_force(
        world,
        full_name="Dr Second IR",
        supervisors=[world.lead_supervisor, world.second_supervisor],
        lead=world.lead_supervisor,
    )


def test_progress_stands_on_the_version_in_force_and_the_current_phase(small_world):
    w = small_world
    add_case(w)
    add_case(w)
    add_case(w, verify=False)  # not verified: not evidence
    progress = progress_for(w.agreement)
    assert progress.agreement == w.agreement
    assert progress.version == w.version
    assert progress.phase == phase_of(w) and progress.phase.phase == 1
    # The current phase's criteria, in their order; phase 2's are not yet in view.
    assert [item.description for item in progress.items] == PHASE_ONE
    assert [item.met for item in progress.items] == [True, False]
    assert progress.reconciliation.verified == 2


def test_only_this_agreements_verified_cases_count_towards_its_reconciliation(small_world):
    w = small_world
    add_case(w)
    other, version = _second_agreement(w)
    # The other trainee's verified cases are theirs alone.
    for reference in ("OTHER-1", "OTHER-2"):
        case = case_log(trainee=other, data=mt_case_data(w, reference=reference))
        case_verify(
            case=case,
            supervisor=w.lead_supervisor,
            role_view=case.trainee_role,
            mode_view=case.supervision_mode,
            decision="verified",
        )
    mine = progress_for(w.agreement)
    assert mine.reconciliation.verified == 1
    assert mine.phase == PhaseRecord.objects.get(agreement=w.agreement)
    theirs = progress_for(version.agreement)
    assert theirs.reconciliation.verified == 2
    # Their own phase and version, not the first agreement's.
    assert theirs.phase == PhaseRecord.objects.get(agreement=version.agreement)
    assert theirs.version == version


def test_a_draft_amendment_changes_nothing_until_it_is_in_force(small_world):
    w = small_world
    amendment = agreement_amend(actor=w.training_lead, agreement=w.agreement)
    assert amendment.number == 2 and amendment.status == "draft"
    assert version_in_force(w.agreement) == w.version
    assert progress_for(w.agreement).version == w.version

    signed, _ = submit_and_sign_all(w, w.agreement)
    assert signed == amendment and version_in_force(w.agreement) == amendment
    # Another agreement's version in force is its own, whatever number the first has reached.
    _, first_of_other = _second_agreement(w)
    assert version_in_force(first_of_other.agreement) == first_of_other


def test_an_agreement_ended_early_has_its_phase_but_no_criteria_to_meet(small_world):
    w = small_world
    add_case(w)
    agreement_end_early(actor=w.training_lead, agreement=w.agreement, reason="Left the programme")
    progress = progress_for(w.agreement)
    assert progress.agreement == w.agreement
    assert progress.version is None
    assert progress.phase == PhaseRecord.objects.get(agreement=w.agreement)
    assert progress.items == [] and not progress.all_met
    assert progress.reconciliation.verified == 1


def _signoff(request):
    return signoff_requests_for_subject(request).get()


def _in_phase_two_asking_for_independence(w):
    """Phase 1 met and signed off, phase 2 met, and the request for independence made: the first
    request and the second."""
    meet_phase_one(w)
    first = progression_request_make(agreement=w.agreement, actor=w.trainee)
    sign_step(w, _signoff(first).steps.get())
    meet_phase_two(w)
    second = progression_request_make(agreement=w.agreement, actor=w.lead_supervisor)
    return first, second


def test_progression_requests_newest_first_and_phase_history_oldest_first(small_world):
    w = small_world
    first, second = _in_phase_two_asking_for_independence(w)
    assert list(progression_requests_for(w.agreement)) == [second, first]
    assert [r.phase for r in phase_history(w.agreement)] == [1, 2]
    # In phase 2 the progress is phase 2's criteria, not phase 1's.
    progress = progress_for(w.agreement)
    assert progress.phase.phase == 2
    assert [item.description for item in progress.items] == [
        row["description"] for row in TINY_CRITERIA if row["phase"] == 2
    ]


CURVE_CRITERIA = [
    # First in the list, so that a search for the learning curve must skip it.
    TINY_CRITERIA[0],
    dict(
        phase=1,
        kind="learning_curve",
        target=0,
        parameters={"p0": 0.1, "p1": 0.4, "alpha": 0.05, "beta": 0.2},
        description="Learning curve with the agreement's own rates",
        source="test figure",
    ),
]


def test_the_learning_curve_takes_the_agreements_parameters_and_this_phases_cases():
    w = small_world_build(CURVE_CRITERIA)
    # Phase 1 started on the agreement's start date, sixty days ago: cases since count.
    add_case(w, days_ago=20, final_etici="3")
    add_case(w, days_ago=10, final_etici="1")  # a failure: no successful reperfusion
    curve = learning_curve_for(w.agreement)
    assert curve.parameters == CusumParameters(p0=0.1, p1=0.4, alpha=0.05, beta=0.2)
    expected = CusumParameters(p0=0.1, p1=0.4, alpha=0.05, beta=0.2)
    assert curve.values == pytest.approx([-expected.s, 1 - 2 * expected.s])


def test_without_a_learning_curve_criterion_the_curve_takes_the_defaults(small_world):
    add_case(small_world)
    curve = learning_curve_for(small_world.agreement)
    assert curve.parameters == CusumParameters()
    assert curve.values == pytest.approx([-CusumParameters().s])


def test_an_agreement_not_yet_in_force_has_an_empty_curve_with_the_defaults():
    world = build_world()
    agreement = draft(world)
    assert version_in_force(agreement) is None and not agreement.phase_records.exists()
    curve = learning_curve_for(agreement)
    assert curve.parameters == CusumParameters() and curve.values == []


def test_a_new_agreement_counts_only_its_own_cases_not_the_trainees_earlier_ones(small_world):
    w = small_world
    add_case(w)
    add_case(w)
    agreement_end_early(actor=w.training_lead, agreement=w.agreement, reason="Moved centre")
    earlier = w.agreement
    w.version, _ = submit_and_sign_all(w, draft(w, start_date=date.today() - timedelta(days=5)))
    w.agreement = w.version.agreement
    add_case(w, days_ago=1)
    assert progress_for(w.agreement).reconciliation.verified == 1
    assert progress_for(earlier).reconciliation.verified == 2


def test_in_independent_practice_progress_shows_the_version_with_nothing_left_to_meet(small_world):
    w = small_world
    _, second = _in_phase_two_asking_for_independence(w)
    # The independence chain, each step by its own signer (test_progression.py walks its rules).
    signers = [
        None,
        w.second_supervisor,
        None,
        w.employer_clinical_director,
        w.centre_medical_director,
        w.governance_lead,
    ]
    for step, signer in zip(_signoff(second).steps.all(), signers, strict=True):
        sign_step(w, step, signer=signer)
    assert phase_of(w).phase == 3
    progress = progress_for(w.agreement)
    assert progress.agreement == w.agreement
    assert progress.version == w.version
    assert progress.phase == phase_of(w)
    assert progress.items == [] and not progress.all_met
    assert progress.reconciliation.verified == 4  # two cases for each phase
