"""Reads the agreement forms and the logbook rely on (issue 19: mutation testing found who an
administrator may draft for, who is offered as a supervisor or trainee, the templates' order,
and whose version in force the logbook logs against each unguarded)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from agreements.models import CriteriaTemplate
from agreements.selectors import (
    active_criteria_templates,
    active_version_for_trainee,
    named_supervisors,
    user_may_draft_for,
    users_with_role,
)

from ..factories import OrganisationFactory, make_member
from .conftest import another_trainee_in_force, draft

pytestmark = pytest.mark.django_db


def test_an_administrator_may_draft_for_any_organisation_a_training_lead_only_their_own(world):
    elsewhere = OrganisationFactory(name="Far Away Hospitals")
    assert user_may_draft_for(world.administrator, {elsewhere.pk})
    assert user_may_draft_for(world.training_lead, {world.centre.pk})
    assert not user_may_draft_for(world.training_lead, {elsewhere.pk})


def test_only_current_active_holders_of_a_role_are_offered_by_name(world):
    gone = make_member(Role.SUPERVISOR, world.centre, full_name="Dr Aaron Gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    offered = list(users_with_role(Role.SUPERVISOR))
    assert gone not in offered and world.trainee not in offered
    assert [u.full_name for u in offered] == sorted(u.full_name for u in offered)
    assert {world.lead_supervisor, world.second_supervisor} <= set(offered)


def test_templates_are_offered_by_name_then_newest_version_first():
    CriteriaTemplate.objects.all().delete()
    for name, version in (("Beta", 1), ("Alpha", 1), ("Alpha", 2)):
        CriteriaTemplate.objects.create(name=name, version=version)
    CriteriaTemplate.objects.create(name="Aardvark", version=1, is_active=False)
    assert [(t.name, t.version) for t in active_criteria_templates()] == [
        ("Alpha", 2),
        ("Alpha", 1),
        ("Beta", 1),
    ]


def test_each_trainee_logs_against_their_own_version_in_force_and_a_draft_is_not_in_force(world):
    assert active_version_for_trainee(world.trainee) is None  # nothing in force yet
    waiting = make_member(Role.TRAINEE, world.employer, full_name="Dr Draft Only")
    draft(world, trainee=waiting)
    other, other_version = another_trainee_in_force(
        world,
        full_name="Dr Other Trainee",
        supervisors=[world.lead_supervisor],
        lead=world.lead_supervisor,
    )
    assert active_version_for_trainee(other) == other_version
    assert active_version_for_trainee(waiting) is None
    assert active_version_for_trainee(world.trainee) is None


def test_the_version_in_force_brings_its_supervisors_in_the_same_queries_however_many(world):
    def queries_for(trainee) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            version = active_version_for_trainee(trainee)
            assert version is not None
            named = named_supervisors(version)
            _ = [supervisor.full_name for supervisor in named]
        return len(captured), len(named)

    lead = world.lead_supervisor
    one, _ = another_trainee_in_force(world, full_name="Dr One INR", supervisors=[lead], lead=lead)
    two, _ = another_trainee_in_force(
        world,
        full_name="Dr Two INRs",
        supervisors=[world.lead_supervisor, world.second_supervisor],
        lead=world.lead_supervisor,
    )
    (few, n_few), (many, n_many) = queries_for(one), queries_for(two)
    assert (n_few, n_many) == (1, 2) and few == many
