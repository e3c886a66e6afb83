"""What waits for a person's signature (``signoff_steps_awaiting_user``), the list behind every
home page's "To sign" (issue 19: mutation testing found its ordering rule, its step and request
states, its role, organisation and directorate matching and its subject rule each unguarded).

Each request below differs from the others in one way, so a filter that dropped or bent any
condition would add a step somebody must not see yet, or lose one they must."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from accounts.services import membership_create
from signoffs.selectors import signoff_steps_awaiting_user
from signoffs.services import StepSpec, signoff_request_open

from ..conftest import sign_in
from ..factories import DirectorateFactory, make_member
from .conftest import SIGNOFF_TEST_KIND, sign_step

pytestmark = pytest.mark.django_db

# After the world's memberships start (today), an hour between requests.
START = timezone.now().replace(microsecond=0) + timedelta(days=1)


@pytest.fixture
def inbox(world, signoff_test_kind):
    w = world
    w.other_directorate = DirectorateFactory(organisation=w.centre, name="Interventional Radiology")
    # Supervisor at the centre and clinical director in the employer's directorate at once.
    w.two_hats = make_member(Role.SUPERVISOR, w.centre, full_name="Dr Two Hats")
    membership_create(
        actor=None,
        user=w.two_hats,
        role=Role.CLINICAL_DIRECTOR,
        organisation=w.employer,
        directorate=w.employer_directorate,
    )
    supervisor_here = {"role": Role.SUPERVISOR, "organisation": w.centre}

    def request(n, label, steps, **options):
        with time_machine.travel(START + timedelta(hours=n), tick=False):
            return signoff_request_open(
                kind=signoff_test_kind,
                subject=w.outsider_org,
                title=label,
                steps=[
                    StepSpec(label=f"{label} {p}", meaning="I agree.", **spec)
                    for p, spec in enumerate(steps, start=1)
                ],
                created_by=w.training_lead,
                **options,
            )

    w.requests = {
        # In order: the lead INR first, then any supervisor at the centre.
        "ordered": request(
            0, "ordered", [{"named_user": w.lead_supervisor}, supervisor_here], ordered=True
        ),
        # Any order: the centre's clinical director of one directorate, and any supervisor.
        "any order": request(
            1,
            "any order",
            [
                {
                    "role": Role.CLINICAL_DIRECTOR,
                    "organisation": w.centre,
                    "directorate": w.centre_directorate,
                },
                supervisor_here,
            ],
        ),
        # About the second INR: only the step named for them is theirs to sign.
        "about second": request(
            2,
            "about second",
            [supervisor_here, {"named_user": w.second_supervisor}],
            about_user=w.second_supervisor,
        ),
        "employer's supervisor": request(
            3, "employer's supervisor", [{"role": Role.SUPERVISOR, "organisation": w.employer}]
        ),
        "another directorate": request(
            4,
            "another directorate",
            [
                {
                    "role": Role.CLINICAL_DIRECTOR,
                    "organisation": w.centre,
                    "directorate": w.other_directorate,
                },
                {**supervisor_here, "directorate": w.centre_directorate},
            ],
        ),
        "employer's director": request(
            5,
            "employer's director",
            [
                {
                    "role": Role.CLINICAL_DIRECTOR,
                    "organisation": w.employer,
                    "directorate": w.employer_directorate,
                }
            ],
        ),
        "signed once": request(6, "signed once", [supervisor_here, supervisor_here]),
        "declined": request(7, "declined", [supervisor_here, supervisor_here], ordered=True),
    }
    signed_once = w.requests["signed once"].steps.get(position=1)
    sign_step(w, signed_once, signer=w.second_supervisor)
    declined = w.requests["declined"].steps.get(position=1)
    sign_step(w, declined, decision="decline", reason="Not yet.", signer=w.two_hats)
    return w


def _waiting(user) -> list[str]:
    return [step.label for step in signoff_steps_awaiting_user(user=user)]


def test_each_person_sees_exactly_the_steps_they_may_sign_now_oldest_request_first(inbox):
    w = inbox
    assert _waiting(w.lead_supervisor) == [
        "ordered 1",  # named for them, and first
        "any order 2",
        "about second 1",  # about someone else
        "signed once 2",  # the step another supervisor signed is not waiting any more
    ]
    assert _waiting(w.second_supervisor) == [
        # Not "ordered 2": its first step is unsigned. Not "about second 1": the request is
        # about them. Not "signed once 2": they signed that request already.
        "any order 2",
        "about second 2",
    ]
    # The directorate's clinical director, not the other directorate's.
    assert _waiting(w.centre_clinical_director) == ["any order 1"]
    # Both their roles count, each at its own organisation and directorate; "another
    # directorate 2" needs a supervisor of the centre's directorate, which they are not.
    assert _waiting(w.two_hats) == [
        "any order 2",
        "about second 1",
        "employer's director 1",
        "signed once 2",
    ]
    assert _waiting(w.employer_clinical_director) == ["employer's director 1"]
    # A supervisor at the employer: only the employer's step.
    employer_inr = make_member(Role.SUPERVISOR, w.employer, full_name="Dr Employer INR")
    assert _waiting(employer_inr) == ["employer's supervisor 1"]


def test_an_ordered_requests_next_step_waits_until_the_one_before_is_signed(inbox):
    w = inbox
    sign_step(w, w.requests["ordered"].steps.get(position=1), signer=w.lead_supervisor)
    assert _waiting(w.second_supervisor) == ["ordered 2", "any order 2", "about second 2"]
    assert "ordered 1" not in _waiting(w.lead_supervisor)


def test_the_home_page_lists_more_steps_to_sign_in_the_same_queries(inbox, client):
    """Each step's request and who made it are read with the step."""
    w = inbox
    sign_in(client, w.lead_supervisor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    before = queries()
    for n in range(3):
        signoff_request_open(
            kind=SIGNOFF_TEST_KIND,
            subject=w.outsider_org,
            title=f"more {n}",
            steps=[StepSpec(label=f"more {n}", meaning="I agree.", named_user=w.lead_supervisor)],
            created_by=[w.training_lead, w.centre_clinical_director, w.second_supervisor][n],
        )
    assert queries() == before
