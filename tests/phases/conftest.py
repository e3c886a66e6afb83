"""A trainee in phase 1 of an active agreement, and helpers to add verified evidence."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from agreements.models import CriteriaTemplate, CriterionTemplate
from agreements.services import SupervisorChoice, agreement_create
from caselogs.activity_services import activity_decide, activity_log, assessment_record
from caselogs.services import case_log, case_verify
from phases.models import Competency
from phases.selectors import current_phase
from phases.services import competency_sign

from ..agreements.conftest import build_world, draft, submit_and_sign_all, terms_for
from ..factories import SiteFactory


@pytest.fixture
def trainee_world(db):
    world = build_world()
    version, _ = submit_and_sign_all(
        world, draft(world, start_date=date.today() - timedelta(days=120))
    )
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
        "site": world.site,
        "out_of_hours": False,
        "procedure": "mt",
        "trainee_role": "primary_operator",
        "supervisor": supervisor,
        "supervision_mode": "scrubbed",
        "final_etici": "2c",
        "passes": 1,
        "any_complication": False,
    }
    data.update(overrides)
    case = case_log(trainee=world.trainee, data=data)
    if verify:
        case_verify(
            case=case,
            supervisor=supervisor,
            role_view=case.trainee_role,
            mode_view=case.supervision_mode,
            decision="verified",
        )
    return case


def add_activity(world, kind="mdt", confirm=True):
    activity = activity_log(
        trainee=world.trainee,
        data={
            "kind": kind,
            "happened_on": date.today() - timedelta(days=3),
            "hours": Decimal("1"),
            "notes": "",
            "supervisor": world.lead_supervisor,
        },
    )
    if confirm:
        activity_decide(activity=activity, supervisor=world.lead_supervisor, confirm=True)
    return activity


def add_assessment(world, level=2, case=None):
    case = case or add_case(world)
    return assessment_record(
        assessor=world.lead_supervisor,
        trainee=world.trainee,
        data={
            "kind": "procedural",
            "case": case,
            "assessed_on": date.today(),
            "entrustment": level,
            "strengths": "Steady catheter work.",
            "development_points": "Plan the second pass.",
        },
    )


def phase_of(world):
    return current_phase(world.agreement)


TINY_CRITERIA = [
    dict(
        phase=1,
        kind="cases",
        target=2,
        parameters={
            "procedure": "mt",
            "role": "primary_operator",
            "supervision": ["scrubbed", "in_room"],
            "within_phase": True,
        },
        description="MTs as primary operator under direct supervision",
        source="test figure",
    ),
    dict(
        phase=1,
        kind="activities",
        target=1,
        parameters={"activity": "mdt"},
        description="MDT meetings",
        source="test figure",
    ),
    dict(
        phase=2,
        kind="cases",
        target=3,
        parameters={"procedure": "mt", "role": "primary_operator"},
        description="MTs as primary operator",
        source="test figure",
    ),
    dict(
        phase=2,
        kind="distinct_verifiers",
        target=2,
        parameters={},
        description="Distinct verifying INRs",
        source="RCR",
    ),
    dict(
        phase=2,
        kind="competencies",
        target=1,
        parameters={"competencies": ["mt_technique"], "signers_required": 2},
        description="Thrombectomy technique signed off by two INRs",
        source="RCR",
    ),
    dict(
        phase=2,
        kind="reperfusion_rate",
        target=80,
        parameters={"last_n": 3},
        description="Successful reperfusion in 80% of the last 3",
        source="test figure",
    ),
]


@pytest.fixture
def small_world(db):
    """An agreement whose criteria are small, so a test can meet them all."""
    return small_world_build()


def small_world_build(criteria=TINY_CRITERIA):
    """What ``small_world`` gives, callable where a fixture cannot be used (a live-server test
    runs on a transactional database and builds its world itself); ``criteria`` replaces the
    small template's rows."""
    world = build_world()
    template = CriteriaTemplate.objects.create(name="Small test template", version=1)
    for position, row in enumerate(criteria, start=1):
        CriterionTemplate.objects.create(template=template, position=position, **row)
    agreement = agreement_create(
        actor=world.training_lead,
        trainee=world.trainee,
        terms=terms_for(world, start_date=date.today() - timedelta(days=60)),
        supervisors=SupervisorChoice(
            supervisors=[world.lead_supervisor, world.second_supervisor], lead=world.lead_supervisor
        ),
        criteria_template=template,
    )
    version, _ = submit_and_sign_all(world, agreement)
    world.version, world.agreement = version, agreement
    world.site = SiteFactory(organisation=world.centre, name="Southbank Royal Infirmary")
    return world


def meet_phase_one(world):
    add_case(world)
    add_case(world)
    add_activity(world)


def meet_phase_two(world):
    add_case(world)
    add_case(world, supervisor=world.second_supervisor)
    for supervisor in (world.lead_supervisor, world.second_supervisor):
        competency_sign(
            agreement=world.agreement, supervisor=supervisor, competency=Competency.MT_TECHNIQUE
        )
