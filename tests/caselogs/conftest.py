"""A trainee with an active agreement, sites to log cases at, and a helper to log through the
service."""

from datetime import date, timedelta

import pytest

from caselogs.services import case_log, case_verify

from ..agreements.conftest import build_world, draft, submit_and_sign_all
from ..factories import SiteFactory


@pytest.fixture
def logbook(db):
    world = build_world()
    # The agreement is active once signed; its PDF (queued on commit) is not needed here.
    version, _ = submit_and_sign_all(world, draft(world))
    world.version = version
    world.site = SiteFactory(organisation=world.centre, name="Southbank Royal Infirmary")
    world.home_site = SiteFactory(organisation=world.employer, name="Northgate General")
    return world


def mt_case_data(world, **overrides) -> dict:
    data = {
        "reference": "MT-001",
        "performed_on": date.today() - timedelta(days=1),
        "site": world.site,
        "out_of_hours": True,
        "procedure": "mt",
        "trainee_role": "primary_operator",
        "supervisor": world.lead_supervisor,
        "supervision_mode": "scrubbed",
        "final_etici": "2b67",
        "passes": 2,
        "any_complication": False,
    }
    data.update(overrides)
    return data


def log_case(world, **overrides):
    return case_log(trainee=world.trainee, data=mt_case_data(world, **overrides))


def verify_as_lead(world, case):
    """The lead supervisor verifies the case, seeing the role and supervision the trainee
    recorded."""
    case_verify(
        case=case,
        supervisor=world.lead_supervisor,
        role_view=case.trainee_role,
        mode_view=case.supervision_mode,
        decision="verified",
    )
    return case


def log_verified_case(world, **overrides):
    """A case logged through the service and verified by the lead supervisor: the evidence most
    criteria, rates and samples count."""
    return verify_as_lead(world, log_case(world, **overrides))


def log_differently_verified_case(world, supervisor, reference):
    """A case the trainee logged as primary operator that its supervisor verified seeing them
    assist: a verification where the two views differ."""
    case = log_case(world, reference=reference, supervisor=supervisor)
    case_verify(
        case=case,
        supervisor=supervisor,
        role_view="assistant",
        mode_view=case.supervision_mode,
        decision="verified",
    )
    return case
