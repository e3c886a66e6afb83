"""People, organisations and memberships: validation, history and the audit trail."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from accounts.demo import ALL_DEMO_PEOPLE, DEMO_BACKUP_CODES, DEMO_PASSWORD, DEMO_PEOPLE
from accounts.models import Membership, Organisation, Role, User
from accounts.services import membership_create
from audit.models import AuditEvent

from .conftest import sign_in
from .factories import DirectorateFactory, OrganisationFactory, make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bad", ["123456", "12345678", "12a4567", "GMC1234"])
def test_gmc_number_must_be_seven_digits(bad):
    with pytest.raises(ValidationError) as excinfo:
        make_user(gmc_number=bad)
    assert "exactly 7 digits" in str(excinfo.value.message_dict["gmc_number"])
    assert not User.objects.filter(gmc_number=bad).exists()


def test_gmc_number_is_unique_when_set_but_may_be_blank_for_many():
    make_user(gmc_number="")
    make_user(gmc_number="")
    make_user(gmc_number="7654321")
    with pytest.raises(ValidationError):
        make_user(gmc_number="7654321")


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MEDICAL_DIRECTOR])
def test_supervisors_and_medical_directors_need_a_gmc_number(role):
    organisation = OrganisationFactory()
    user = make_user(gmc_number="")
    with pytest.raises(ValidationError) as excinfo:
        membership_create(actor=None, user=user, role=role, organisation=organisation)
    assert "GMC number" in str(excinfo.value.message_dict["role"])
    assert not Membership.objects.filter(user=user).exists()


def test_governance_lead_needs_no_gmc_number():
    organisation = OrganisationFactory()
    user = make_user(gmc_number="")
    membership_create(actor=None, user=user, role=Role.GOVERNANCE_LEAD, organisation=organisation)
    assert user.memberships.count() == 1


def test_directorate_must_belong_to_the_membership_organisation():
    organisation = OrganisationFactory()
    elsewhere = DirectorateFactory()
    with pytest.raises(ValidationError) as excinfo:
        membership_create(
            actor=None,
            user=make_user(),
            role=Role.CLINICAL_DIRECTOR,
            organisation=organisation,
            directorate=elsewhere,
        )
    assert "another organisation" in str(excinfo.value.message_dict["directorate"])


def test_membership_cannot_end_before_it_starts():
    organisation = OrganisationFactory()
    with pytest.raises(ValidationError) as excinfo:
        membership_create(
            actor=None,
            user=make_user(),
            role=Role.TRAINEE,
            organisation=organisation,
            valid_from=date(2026, 5, 1),
            valid_to=date(2026, 4, 1),
        )
    assert "before the start date" in str(excinfo.value.message_dict["valid_to"])


def test_the_database_also_refuses_an_inverted_membership():
    organisation = OrganisationFactory()
    user = make_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=user,
            role=Role.TRAINEE,
            organisation=organisation,
            valid_from=date(2026, 5, 1),
            valid_to=date(2026, 4, 1),
        )


def test_changes_are_kept_in_history_with_who_made_them(client):
    organisation = OrganisationFactory()
    admin_user = make_member(Role.ADMINISTRATOR, organisation)
    person = make_member(Role.TRAINEE, organisation)
    membership = person.memberships.get()
    sign_in(client, admin_user)
    response = client.post(
        f"/admin/accounts/membership/{membership.pk}/change/",
        {
            "user": person.pk,
            "role": Role.TRAINEE,
            "organisation": organisation.pk,
            "directorate": "",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = membership.history.first()
    assert latest.valid_to == date(2026, 12, 31)
    assert latest.history_user == admin_user
    assert membership.history.count() == 2
    event = AuditEvent.objects.filter(verb="membership.changed").get()
    assert event.actor == admin_user and "valid_to" in event.data["changed"]


def test_admin_refuses_a_supervisor_without_gmc_number_beside_the_field(client):
    organisation = OrganisationFactory()
    admin_user = make_member(Role.ADMINISTRATOR, organisation)
    person = make_user(gmc_number="")
    sign_in(client, admin_user)
    response = client.post(
        "/admin/accounts/membership/add/",
        {
            "user": person.pk,
            "role": Role.SUPERVISOR,
            "organisation": organisation.pk,
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "record their GMC number" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_seed_demo_is_idempotent_and_holds_no_patients():
    call_command("seed_demo", verbosity=0)
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert counts[0] == len(ALL_DEMO_PEOPLE)
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert Organisation.objects.filter(is_training_centre=True).count() == 1


def test_every_demo_person_can_sign_in_without_a_phone(client):
    call_command("seed_demo", verbosity=0)
    for n, person in enumerate(DEMO_PEOPLE):
        client.logout()
        client.post("/account/login/", {"username": person.email, "password": DEMO_PASSWORD})
        assert client.get("/")["Location"].startswith("/account/two-factor/verify/")
        client.post("/account/two-factor/verify/", {"code": DEMO_BACKUP_CODES[n]})
        home = client.get("/")
        assert home.status_code == 200, person.email
        assert person.full_name in home.content.decode()


def test_role_names_keep_their_capitals_inside_sentences(organisation):
    person = make_user(gmc_number="")
    with pytest.raises(ValidationError) as refused:
        membership_create(actor=None, user=person, role=Role.SUPERVISOR, organisation=organisation)
    assert "A supervisor (INR) must be a registered doctor" in str(refused.value)
    doctor = make_user()
    membership_create(actor=None, user=doctor, role=Role.SUPERVISOR, organisation=organisation)
    event = AuditEvent.objects.filter(verb="membership.created").latest("pk")
    assert f"became supervisor (INR) at {organisation}" in event.summary
