"""Whose evidence each list holds (issue 19: mutation testing found the verified-cases filter
could drop the list it was given, and the assessment list's administrator check could be
inverted, without the logbook's tests noticing: each would put one trainee's evidence in
another's reports and lists)."""

import pytest

from caselogs.models import Case
from caselogs.selectors import assessment_list_for_user, verified_cases

from ..agreements.conftest import another_trainee_in_force
from ..phases.conftest import add_assessment, add_case, trainee_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_trainees(trainee_world):
    w = trainee_world
    w.own_assessment = add_assessment(w)
    w.other, _ = another_trainee_in_force(
        w, full_name="Dr Other Trainee", supervisors=[w.lead_supervisor], lead=w.lead_supervisor
    )
    return w


def test_verified_cases_stay_within_the_cases_they_are_given(two_trainees):
    w = two_trainees
    add_case(w, reference="MINE")
    assert verified_cases(Case.objects.filter(trainee=w.other)).count() == 0
    assert set(verified_cases(Case.objects.filter(trainee=w.trainee))) == set(
        Case.objects.filter(trainee=w.trainee, status="verified")
    )


def test_another_trainee_sees_none_of_this_trainees_assessments_an_administrator_all(
    two_trainees,
):
    w = two_trainees
    assert list(assessment_list_for_user(user=w.other)) == []
    assert list(assessment_list_for_user(user=w.trainee)) == [w.own_assessment]
    assert w.own_assessment in assessment_list_for_user(user=w.administrator)
