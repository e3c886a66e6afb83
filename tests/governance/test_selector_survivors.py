"""The governance selectors read in full: the trainees offered by the report and export forms (in
name order, only those whose agreements the user may see) and the reports a user may open."""

from datetime import date, timedelta

import pytest
from django.http import Http404

from governance.reports import audit_report_request
from governance.selectors import (
    audit_report_get_for_user,
    audit_report_list_for_user,
    trainee_list_for_user,
)

from ..agreements.conftest import another_trainee_in_force

pytestmark = pytest.mark.django_db


def _second_trainee(world, full_name):
    """A trainee employed by the centre, supervised by the second INR only."""
    other, _ = another_trainee_in_force(
        world,
        full_name=full_name,
        supervisors=[world.second_supervisor],
        lead=world.second_supervisor,
    )
    return other


def test_the_trainees_offered_are_those_in_scope_in_name_order(trainee_world):
    w = trainee_world
    # Created after "Dr Trainee IR", named before it: the order is by name, not by arrival.
    other = _second_trainee(w, "Dr Another IR")
    both = [other, w.trainee]
    assert list(trainee_list_for_user(user=w.administrator)) == both
    assert list(trainee_list_for_user(user=w.training_lead)) == both
    assert list(trainee_list_for_user(user=w.second_supervisor)) == both
    assert list(trainee_list_for_user(user=w.lead_supervisor)) == [w.trainee]
    assert list(trainee_list_for_user(user=other)) == [other]


def _report(world, requested_by):
    today = date.today()
    return audit_report_request(
        user=requested_by,
        period_start=today - timedelta(days=30),
        period_end=today,
        organisation=world.employer,
    )


def test_a_report_is_seen_by_its_requester_and_an_administrator_only(trainee_world):
    w = trainee_world
    first = _report(w, w.governance_lead)
    second = _report(w, w.governance_lead)
    theirs = _report(w, w.training_lead)
    # Newest first.
    assert list(audit_report_list_for_user(user=w.governance_lead)) == [second, first]
    assert list(audit_report_list_for_user(user=w.training_lead)) == [theirs]
    assert list(audit_report_list_for_user(user=w.administrator)) == [theirs, second, first]
    assert list(audit_report_list_for_user(user=w.trainee)) == []

    assert audit_report_get_for_user(user=w.governance_lead, pk=first.pk) == first
    assert audit_report_get_for_user(user=w.administrator, pk=theirs.pk) == theirs
    with pytest.raises(Http404):
        audit_report_get_for_user(user=w.governance_lead, pk=theirs.pk)
