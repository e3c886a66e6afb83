"""The words a person reads when the service refuses their signature, and the directorate rule
of who may sign (issue 19: mutation testing found each refusal's wording, and a step without a
directorate refused to a member of one, unguarded). The service's message is what the signing
form shows beside the decision."""

import pytest

from accounts.models import Role
from signoffs.services import SignoffRefused, StepSpec, signoff_request_open

from ..factories import DirectorateFactory
from .conftest import sign_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_request(world, signoff_test_kind):
    def make(steps, **options):
        return signoff_request_open(
            kind=signoff_test_kind,
            subject=world.outsider_org,
            title="A decision",
            steps=[
                StepSpec(label=label, meaning="I agree.", **spec) for label, spec in steps.items()
            ],
            created_by=world.training_lead,
            **options,
        )

    return make


def _refusal(world, step, signer) -> str:
    with pytest.raises(SignoffRefused) as refused:
        sign_step(world, step, signer=signer)
    return refused.value.message


def test_each_refusal_says_why_in_full(world, open_request):
    supervisor = {"role": Role.SUPERVISOR, "organisation": world.centre}
    declined = open_request({"First": supervisor, "Second": supervisor}, ordered=True)
    sign_step(
        world,
        declined.steps.get(position=1),
        decision="decline",
        reason="Not yet.",
        signer=world.lead_supervisor,
    )
    assert (
        _refusal(world, declined.steps.get(position=2), world.second_supervisor)
        == "This request is declined; it can no longer be signed."
    )

    about = open_request({"Supervisor": supervisor}, about_user=world.second_supervisor)
    assert (
        _refusal(world, about.steps.get(), world.second_supervisor)
        == "You cannot sign a decision about yourself."
    )

    twice = open_request({"One": supervisor, "Two": supervisor})
    sign_step(world, twice.steps.get(position=1), signer=world.second_supervisor)
    assert _refusal(world, twice.steps.get(position=2), world.second_supervisor) == (
        "You have already signed another step of this request. Each step needs a different person."
    )

    in_order = open_request(
        {"Lead INR": supervisor, "Second INR": supervisor, "Last INR": supervisor}, ordered=True
    )
    assert (
        _refusal(world, in_order.steps.get(position=3), world.second_supervisor)
        == "Earlier steps must be signed first: Lead INR, Second INR."
    )


def test_a_step_for_a_directorate_is_signed_there_and_one_without_by_anyone_in_the_role(
    world, open_request
):
    """The centre's clinical director belongs to its neuroradiology directorate: they may sign a
    clinical director's step that names no directorate, and a step for their own, but not one
    for another directorate."""
    director = world.centre_clinical_director
    other = DirectorateFactory(organisation=world.centre, name="Interventional Radiology")
    role = {"role": Role.CLINICAL_DIRECTOR, "organisation": world.centre}
    anywhere = open_request({"Any clinical director": role})
    assert sign_step(world, anywhere.steps.get(), signer=director).signer == director
    own = open_request({"Their own": {**role, "directorate": world.centre_directorate}})
    assert sign_step(world, own.steps.get(), signer=director).signer == director
    elsewhere = open_request({"Another directorate": {**role, "directorate": other}})
    assert _refusal(world, elsewhere.steps.get(), director) == (
        "You are not eligible to sign this step, which is for: Another directorate."
    )
