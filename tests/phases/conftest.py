"""A trainee in phase 1 of an active agreement, and helpers to add verified evidence."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from caselogs.activity_services import activity_decide, activity_log, assessment_record
from caselogs.services import case_log, case_verify
from phases.selectors import current_phase

from ..agreements.conftest import build_world, draft, submit_and_sign_all
from ..factories import SiteFactory


@pytest.fixture
def trainee_world(db):
    world = build_world()
    version, _ = submit_and_sign_all(world, draft(world, start_date=date.today() - timedelta(days=120)))
    world.version = version
    world.agreement = version.agreement
    world.site = SiteFactory(organisation=world.centre, name="Southbank Royal Infirmary")
    return world


_counter = {"n": 0}


def add_case(world, *, verify=True, supervisor=None, days_ago=10, **overrides):
    _counter["n"] += 1
    supervisor = supervisor or world.lead_supervisor
    data = {
        "reference": f"P-{_counter['n']:05d}",
        "performed_on": date.today() - timedelta(days=days_ago),
        "site": world.site, "out_of_hours": False, "procedure": "mt",
        "trainee_role": "primary_operator", "supervisor": supervisor,
        "supervision_mode": "scrubbed", "final_etici": "2c", "passes": 1,
        "any_complication": False,
    }
    data.update(overrides)
    case = case_log(trainee=world.trainee, data=data)
    if verify:
        case_verify(case=case, supervisor=supervisor, role_view=case.trainee_role,
                    mode_view=case.supervision_mode, decision="verified")
    return case


def add_activity(world, kind="mdt", confirm=True):
    activity = activity_log(trainee=world.trainee, data={
        "kind": kind, "happened_on": date.today() - timedelta(days=3), "hours": Decimal("1"),
        "notes": "", "supervisor": world.lead_supervisor})
    if confirm:
        activity_decide(activity=activity, supervisor=world.lead_supervisor, confirm=True)
    return activity


def add_assessment(world, level=2, case=None):
    case = case or add_case(world)
    return assessment_record(assessor=world.lead_supervisor, trainee=world.trainee, data={
        "kind": "procedural", "case": case, "assessed_on": date.today(), "entrustment": level,
        "strengths": "Steady catheter work.", "development_points": "Plan the second pass."})


def phase_of(world):
    return current_phase(world.agreement)
