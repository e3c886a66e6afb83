"""A person who is both a trainee and a supervisor (INR) cannot be named a supervisor, lead or
not, of their own agreement: refused by the service, shown beside the supervisor field."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from accounts.services import membership_create
from agreements.criteria_defaults import default_template_ensure
from agreements.models import CriteriaTemplate, CriterionTemplate, TrainingAgreement
from agreements.services import SupervisorChoice, agreement_create, agreement_version_update

from ..conftest import sign_in
from ..fuzz.test_agreement_forms import terms_as_posted
from .conftest import draft, terms_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee_who_supervises(world):
    membership_create(
        actor=None,
        user=world.trainee,
        role=Role.SUPERVISOR,
        organisation=world.centre,
        directorate=world.centre_directorate,
    )
    return world.trainee


@pytest.mark.parametrize("as_lead", [True, False])
def test_the_service_refuses_the_trainee_as_their_own_supervisor(
    world, trainee_who_supervises, as_lead
):
    trainee = trainee_who_supervises
    lead = trainee if as_lead else world.lead_supervisor
    with pytest.raises(ValidationError) as refused:
        agreement_create(
            actor=world.training_lead,
            trainee=trainee,
            terms=terms_for(world),
            supervisors=SupervisorChoice(supervisors=[trainee, world.lead_supervisor], lead=lead),
            criteria_template=default_template_ensure(CriteriaTemplate, CriterionTemplate),
        )
    assert "cannot also be one of its supervisors" in " ".join(
        refused.value.message_dict["supervisors"]
    )
    assert ("lead_supervisor" in refused.value.message_dict) is as_lead
    assert not TrainingAgreement.objects.exists()

    version = draft(world).versions.get()
    with pytest.raises(ValidationError):
        agreement_version_update(
            actor=world.training_lead,
            version=version,
            terms=terms_for(world),
            supervisors=SupervisorChoice(supervisors=[trainee, world.lead_supervisor], lead=lead),
        )
    assert trainee.pk not in version.supervisors.values_list("supervisor_id", flat=True)


def test_the_form_shows_the_refusal_beside_the_supervisor_field(
    client, world, trainee_who_supervises
):
    trainee = trainee_who_supervises
    template = default_template_ensure(CriteriaTemplate, CriterionTemplate)
    sign_in(client, world.training_lead)
    response = client.post(
        reverse("agreements:new"),
        {
            **terms_as_posted(world),
            "trainee": str(trainee.pk),
            "criteria_template": str(template.pk),
            "supervisors": [str(trainee.pk), str(world.second_supervisor.pk)],
            "lead_supervisor": str(trainee.pk),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["supervisors"] == [
        f"{trainee.full_name} is the trainee of this agreement, so cannot also be one of its "
        "supervisors."
    ]
    assert form.errors["lead_supervisor"] == ["The trainee cannot be their own lead supervisor."]
    assert not form.non_field_errors()
    body = response.content.decode()
    field = re.search(
        r'id="div_id_supervisors".*?</fieldset>|id="div_id_supervisors".*?id="div_id_lead',
        body,
        re.S,
    )
    assert field and "cannot also be one of its supervisors" in field.group(0)
    assert not TrainingAgreement.objects.exists()
