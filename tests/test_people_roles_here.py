"""An organisation's people, as those who oversee it see them: each person once, with only the
roles they hold here now (and the directorate of each), never a role elsewhere or one that
ended, which would tell the page's reader more than the organisation's own records."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import person_list_for_organisation
from accounts.services import membership_create

from .conftest import sign_in
from .factories import DirectorateFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(organisation, other_organisation, member):
    today = timezone.localdate()
    lead = member(Role.TRAINING_LEAD, organisation, full_name="Dr Lead Overseer")
    neuroradiology = DirectorateFactory(organisation=organisation, name="Neuroradiology")
    supervisor = member(
        Role.SUPERVISOR, organisation, directorate=neuroradiology, full_name="Dr Current Here"
    )
    # The same person: a role that ended here, and a current role at another organisation.
    membership_create(
        actor=None,
        user=supervisor,
        role=Role.GOVERNANCE_LEAD,
        organisation=organisation,
        directorate=None,
        valid_from=today - timedelta(days=400),
        valid_to=today - timedelta(days=30),
    )
    membership_create(
        actor=None,
        user=supervisor,
        role=Role.CLINICAL_DIRECTOR,
        organisation=other_organisation,
        directorate=None,
        valid_from=today - timedelta(days=10),
        valid_to=None,
    )
    return lead, supervisor


def test_each_person_carries_only_their_current_roles_here(organisation, people):
    lead, supervisor = people

    listed = {
        person.full_name: person
        for person in person_list_for_organisation(user=lead, organisation=organisation)
    }

    assert set(listed) == {"Dr Lead Overseer", "Dr Current Here"}
    roles = [
        (m.role, m.directorate.name if m.directorate else None)
        for m in listed["Dr Current Here"].roles_here
    ]
    assert roles == [(Role.SUPERVISOR, "Neuroradiology")]
    assert [m.role for m in listed["Dr Lead Overseer"].roles_here] == [Role.TRAINING_LEAD]


def test_the_organisation_page_names_each_current_role_and_its_directorate(
    organisation, people, client
):
    lead, _ = people
    sign_in(client, lead)

    page = client.get(reverse("accounts:organisation_detail", args=[organisation.pk]))

    people_table = page.content.decode().split('id="people-table"')[1].split("</table>")[0]
    assert "Supervisor (INR), Neuroradiology" in people_table
    assert "Training lead" in people_table
    assert "Governance lead" not in people_table and "Clinical director" not in people_table


def _roles_on_home_page(client):
    page = client.get("/").content.decode()
    listed = page.split('id="my-memberships"', 1)[1].split("</ul>", 1)[0]
    return [line.strip() for line in listed.split("<strong>")[1:]]


def test_your_roles_are_listed_by_organisation_then_role_and_read_in_fixed_queries(
    client, member, django_assert_max_num_queries
):
    """The home page's "Your roles": by organisation name, then role, whatever order they were
    given in; and more roles of the same kinds, each in a directorate, cost no more queries."""
    zeta = OrganisationFactory(name="Zeta Hospitals")
    alpha = OrganisationFactory(name="Alpha Hospitals")
    middle = OrganisationFactory(name="Middle Hospitals")
    person = member(Role.TRAINING_LEAD, zeta, full_name="Dr Many Hats")

    def give(role, organisation, directorate=None):
        membership_create(
            actor=None, user=person, role=role, organisation=organisation, directorate=directorate
        )

    give(Role.SUPERVISOR, alpha)
    give(Role.GOVERNANCE_LEAD, alpha)
    sign_in(client, person)
    with CaptureQueriesContext(connection) as three_roles:
        client.get("/")
    give(Role.SUPERVISOR, middle, DirectorateFactory(organisation=middle))
    give(Role.GOVERNANCE_LEAD, zeta, DirectorateFactory(organisation=zeta))
    with django_assert_max_num_queries(len(three_roles.captured_queries)):
        listed = _roles_on_home_page(client)
    assert [
        (entry.split("</strong>")[0], entry.split('">')[1].split("<")[0]) for entry in listed
    ] == [
        ("Governance lead", "Alpha Hospitals"),
        ("Supervisor (INR)", "Alpha Hospitals"),
        ("Supervisor (INR)", "Middle Hospitals"),
        ("Governance lead", "Zeta Hospitals"),
        ("Training lead", "Zeta Hospitals"),
    ]
