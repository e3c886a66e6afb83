"""Matching (issue 16): each state, the day either side, keys per organisation, and the trainee's
answers to a not-logged entry."""

from datetime import timedelta

import pytest

from accounts.models import Role
from reconciliation.matching import reconcile
from reconciliation.models import ListOperator, MatchState
from reconciliation.selectors import case_state, case_states, not_logged_for_trainee
from reconciliation.services import operator_not_involved

from ..factories import OrganisationFactory, SiteFactory, make_member
from .conftest import TODAY, import_list, log_case, row

pytestmark = pytest.mark.django_db
DAY = TODAY - timedelta(days=10)


def test_no_list_uploaded_yet(world):
    case = log_case(world, performed_on=DAY, accession_number="ACC-1001")
    assert case_state(case) == MatchState.NO_LIST


def test_matched_on_accession_date_and_gmc(world):
    case = log_case(world, performed_on=DAY, accession_number="acc 1001")
    outcome = import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    assert not outcome.problems
    assert case_state(case) == MatchState.MATCHED
    assert outcome.counts.matched == 1 and outcome.counts.not_logged == 0


@pytest.mark.parametrize(
    ("shift", "state"), [(-1, "matched"), (1, "matched"), (2, "not_on_list"), (-2, "not_on_list")]
)
def test_a_day_either_side_matches_two_days_do_not(world, shift, state):
    case = log_case(world, performed_on=DAY, accession_number="ACC-1001")
    import_list(world, [row(DAY + timedelta(days=shift), "ACC-1001", world.trainee.gmc_number)])
    assert case_state(case) == state


def test_matched_needs_the_trainees_gmc_on_the_entry(world):
    case = log_case(world, performed_on=DAY, accession_number="ACC-1001")
    outcome = import_list(
        world, [row(DAY, "ACC-1001", world.lead_supervisor.gmc_number, "supervisor")]
    )
    assert case_state(case) == MatchState.NOT_ON_LIST
    assert outcome.counts.not_on_list == 1


def test_probable_without_an_accession_number(world):
    case = log_case(world, performed_on=DAY)
    import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    assert case_state(case) == MatchState.PROBABLE


def test_probable_needs_the_same_date_and_site(world):
    next_day = log_case(world, reference="MT-002", performed_on=DAY + timedelta(days=1))
    other_site = log_case(world, reference="MT-003", performed_on=DAY, site=world.home_site)
    import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    assert case_state(next_day) == MatchState.NOT_ON_LIST
    # The employer's site: no list covers it.
    assert case_state(other_site) == MatchState.NO_LIST


def test_an_accession_number_that_differs_is_not_on_the_list(world):
    case = log_case(world, performed_on=DAY, accession_number="ACC-9999")
    import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    assert case_state(case) == MatchState.NOT_ON_LIST


def test_not_logged_then_logged_by_the_trainee(world, django_capture_on_commit_callbacks):
    outcome = import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    assert outcome.counts.not_logged == 1
    waiting = list(not_logged_for_trainee(user=world.trainee))
    assert len(waiting) == 1 and waiting[0].entry.performed_on == DAY
    # Logging it (the not-logged page opens the case form on its date and site) resolves it.
    with django_capture_on_commit_callbacks(execute=True):
        case = log_case(world, performed_on=DAY, accession_number="ACC-1001")
    assert case_state(case) == MatchState.MATCHED
    assert not not_logged_for_trainee(user=world.trainee).exists()


def test_not_logged_then_not_involved(world):
    import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    operator = not_logged_for_trainee(user=world.trainee).get()
    operator_not_involved(trainee=world.trainee, operator=operator)
    assert not not_logged_for_trainee(user=world.trainee).exists()
    operator.refresh_from_db()
    assert operator.response == ListOperator.Response.NOT_INVOLVED


def test_nobody_answers_for_another_trainee(world):
    from django.core.exceptions import PermissionDenied

    import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    operator = ListOperator.objects.get()
    other = make_member(Role.TRAINEE, world.employer, full_name="Dr Other Trainee")
    with pytest.raises(PermissionDenied):
        operator_not_involved(trainee=other, operator=operator)


def test_each_entry_is_taken_by_one_case(world):
    first = log_case(world, reference="MT-001", performed_on=DAY)
    second = log_case(world, reference="MT-002", performed_on=DAY)
    import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    states = case_states([first.pk, second.pk])
    assert sorted(states.values()) == [MatchState.NOT_ON_LIST, MatchState.PROBABLE]


def test_accession_matches_come_before_probable_ones(world):
    without = log_case(world, reference="MT-001", performed_on=DAY)
    keyed = log_case(world, reference="MT-002", performed_on=DAY, accession_number="ACC-1001")
    import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    assert case_state(keyed) == MatchState.MATCHED
    assert case_state(without) == MatchState.NOT_ON_LIST


def test_keys_are_per_organisation(world, settings):
    """The same accession number at two trusts gives two digests and never matches across."""
    settings.RECONCILIATION_KEYS = {
        str(world.centre.pk): "11" * 32,
        str(world.employer.pk): "22" * 32,
    }
    case = log_case(world, performed_on=DAY, site=world.home_site, accession_number="ACC-1001")
    # The employer's digest of the number differs from the centre's.
    from privacy.accession import accession_digest

    assert accession_digest(world.centre.pk, "ACC-1001") != accession_digest(
        world.employer.pk, "ACC-1001"
    )
    # The centre's list names the number on the same day: the employer's case does not match.
    import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    assert case_state(case) == MatchState.NO_LIST
    # Even a list at the employer keyed under another organisation's digest cannot match: each
    # run reads one organisation's entries only.
    reconcile(organisation_id=world.employer.pk, start=DAY, end=DAY)
    assert case_state(case) == MatchState.NO_LIST


def test_a_rotated_key_still_matches_cases_keyed_before(world, settings):
    old, new = "33" * 32, "44" * 32
    settings.RECONCILIATION_KEYS = {str(world.centre.pk): old}
    case = log_case(world, performed_on=DAY, accession_number="ACC-1001")
    settings.RECONCILIATION_KEYS = {str(world.centre.pk): new}
    settings.RECONCILIATION_PREVIOUS_KEYS = {str(world.centre.pk): old}
    import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)])
    assert case_state(case) == MatchState.MATCHED


def test_other_organisations_lists_leave_cases_alone(world):
    elsewhere = OrganisationFactory(name="Faraway NHS Trust")
    site = SiteFactory(organisation=elsewhere, name="Faraway General")
    lead = make_member(Role.TRAINING_LEAD, elsewhere, full_name="Dr Faraway Lead")
    case = log_case(world, performed_on=DAY, accession_number="ACC-1001")
    import_list(world, [row(DAY, "ACC-1001", world.trainee.gmc_number)], site=site, user=lead)
    assert case_state(case) == MatchState.NO_LIST
