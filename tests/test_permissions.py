"""Who sees what: each role's home lists only its own, other organisations answer 404, and each
"may see" rule and its selector give the answer written here for objects built to differ."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.selectors import organisation_list_for_user, person_list_for_organisation

from .conftest import sign_in
from .factories import DirectorateFactory, OrganisationFactory, make_member

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)
OVERSIGHT = {
    Role.TRAINING_LEAD,
    Role.CLINICAL_DIRECTOR,
    Role.MEDICAL_DIRECTOR,
    Role.GOVERNANCE_LEAD,
    Role.ADMINISTRATOR,
}


@pytest.fixture
def two_trusts(db):
    own, other = OrganisationFactory(name="Own Trust"), OrganisationFactory(name="Other Trust")
    colleague = make_member(Role.TRAINEE, own, full_name="Dr Own Colleague")
    stranger = make_member(Role.TRAINEE, other, full_name="Dr Other Stranger")
    return own, other, colleague, stranger


@pytest.mark.parametrize("role", ALL_ROLES)
def test_home_lists_only_the_roles_own_organisations(client, two_trusts, role):
    own, other, _, _ = two_trusts
    user = make_member(role, own, full_name=f"Dr {role.label}")
    sign_in(client, user)
    body = client.get("/").content.decode()
    assert own.name in body
    assert other.name not in body
    assert role.label in body


@pytest.mark.parametrize("role", ALL_ROLES)
def test_organisation_pages_answer_by_object(client, two_trusts, role):
    own, other, colleague, stranger = two_trusts
    user = make_member(role, own)
    sign_in(client, user)

    own_page = client.get(f"/account/organisations/{own.pk}/")
    assert own_page.status_code == 200
    other_page = client.get(f"/account/organisations/{other.pk}/")
    if role == Role.ADMINISTRATOR:
        assert other_page.status_code == 200
    else:
        assert other_page.status_code == 404

    listing = client.get("/account/organisations/").content.decode()
    assert own.name in listing
    assert (other.name in listing) is (role == Role.ADMINISTRATOR)

    own_body = own_page.content.decode()
    # Only those who oversee an organisation see its staff directory.
    assert (colleague.full_name in own_body) is (role in OVERSIGHT)
    assert stranger.full_name not in own_body


@pytest.mark.parametrize("role", ALL_ROLES)
def test_selectors_and_rules_give_the_expected_answer(two_trusts, role):
    """The organisation rules share their membership helpers with the selectors, so comparing the
    two alone could not fail: both are held to what each role should see, written here. Everyone
    opens their own organisation, only administrators another; only oversight roles see the
    people of their own organisation, only administrators another's."""
    own, other, _, _ = two_trusts
    user = make_member(role, own)
    is_administrator = role == Role.ADMINISTRATOR
    expected = {
        own: {"opens": True, "sees_people": role in OVERSIGHT},
        other: {"opens": is_administrator, "sees_people": is_administrator},
    }
    for organisation, answer in expected.items():
        listed = organisation_list_for_user(user=user).filter(pk=organisation.pk).exists()
        assert listed is answer["opens"], ("selector", organisation.name)
        assert user.has_perm("accounts.open_organisation", organisation) is answer["opens"]
        sees_people = person_list_for_organisation(user=user, organisation=organisation).exists()
        assert sees_people is answer["sees_people"], ("selector", organisation.name)
        assert (
            user.has_perm("accounts.see_organisation_people", organisation) is answer["sees_people"]
        )


def test_a_lapsed_membership_gives_no_access(client, two_trusts):
    own, *_ = two_trusts
    user = make_member(
        Role.CLINICAL_DIRECTOR, own, valid_from=date(2020, 1, 1), valid_to=date(2021, 1, 1)
    )
    assert not organisation_list_for_user(user=user).exists()
    assert not user.has_perm("accounts.open_organisation", own)
    assert not person_list_for_organisation(user=user, organisation=own).exists()
    assert not user.has_perm("accounts.see_organisation_people", own)


def test_anonymous_visitors_are_sent_to_sign_in(client, two_trusts):
    own, *_ = two_trusts
    for path in ("/", "/account/organisations/", f"/account/organisations/{own.pk}/", "/audit/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
    assert not AnonymousUser().has_perm("accounts.open_organisation", own)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_audit_log_is_for_administrators_only(client, two_trusts, role):
    own, *_ = two_trusts
    user = make_member(role, own)
    sign_in(client, user)
    response = client.get("/audit/")
    assert response.status_code == (200 if role == Role.ADMINISTRATOR else 403)
    nav = client.get("/").content.decode()
    assert ('href="/audit/"' in nav) is (role == Role.ADMINISTRATOR)
    assert ('href="/admin/"' in nav) is (role == Role.ADMINISTRATOR)


def _add_organisations_with_people(user_organisation, n):
    for _ in range(n):
        extra = OrganisationFactory()
        make_member(Role.SUPERVISOR, extra)
        # In a directorate, which the people list names beside each role.
        directorate = DirectorateFactory(organisation=user_organisation)
        make_member(Role.TRAINING_LEAD, user_organisation, directorate=directorate)


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.MEDICAL_DIRECTOR, Role.ADMINISTRATOR])
def test_home_and_lists_do_not_grow_queries_with_data(
    client, two_trusts, role, django_assert_max_num_queries
):
    own, *_ = two_trusts
    user = make_member(role, own)
    sign_in(client, user)
    pages = ["/", "/account/organisations/", f"/account/organisations/{own.pk}/"]
    if role == Role.ADMINISTRATOR:
        pages.append("/audit/")

    def count_queries(path):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    small = {path: count_queries(path) for path in pages}
    _add_organisations_with_people(own, 15)
    for path in pages:
        with django_assert_max_num_queries(small[path]):
            assert client.get(path).status_code == 200


def test_the_agreement_rule_and_its_selector_agree_on_agreements_built_to_differ():
    """Issue 19: the rule is read from the agreement, the selector is a query; both are asked
    about an agreement at the world's own organisations, one of another trainee there with other
    supervisors, and one wholly at other organisations, by every person of every role in and out
    of scope. Each person sees exactly the agreements the table below says."""
    from accounts.models import Role
    from agreements.selectors import agreement_list_for_user
    from agreements.services import SupervisorChoice, agreement_create

    from .agreements.conftest import World, build_world, draft, terms_for

    world = build_world()
    own = draft(world)
    other_trainee = make_member(Role.TRAINEE, world.employer, full_name="Dr Other Trainee")
    other_inr = make_member(Role.SUPERVISOR, world.centre, full_name="Dr Other INR")
    sibling = agreement_create(
        actor=world.training_lead,
        trainee=other_trainee,
        terms=terms_for(world),
        supervisors=SupervisorChoice(supervisors=[other_inr], lead=other_inr),
        criteria_template=own.versions.get().criteria_template,
    )
    far_employer = OrganisationFactory(name="Distant Trust")
    far_centre = OrganisationFactory(name="Distant Centre", is_training_centre=True)
    far_world = World(
        **{
            **world.__dict__,
            "employer": far_employer,
            "centre": far_centre,
            "employer_directorate": DirectorateFactory(organisation=far_employer),
            "centre_directorate": DirectorateFactory(organisation=far_centre),
            "trainee": make_member(Role.TRAINEE, far_employer),
            "governance_lead": make_member(Role.GOVERNANCE_LEAD, far_employer),
            "lead_supervisor": make_member(Role.SUPERVISOR, far_centre),
            "second_supervisor": make_member(Role.SUPERVISOR, far_centre),
        }
    )
    far = draft(far_world, actor=world.administrator)
    people = {
        **world.people(),
        "other_trainee": other_trainee,
        "other_inr": other_inr,
        "far_trainee": far_world.trainee,
        "far_inr": far_world.lead_supervisor,
        "far_governance_lead": far_world.governance_lead,
        "unnamed_inr": make_member(Role.SUPERVISOR, world.centre),
    }
    oversight_here = {
        "training_lead",
        "employer_clinical_director",
        "centre_clinical_director",
        "employer_medical_director",
        "centre_medical_director",
        "governance_lead",
    }
    expected = {
        own.pk: oversight_here | {"trainee", "lead_supervisor", "second_supervisor"},
        sibling.pk: oversight_here | {"other_trainee", "other_inr"},
        far.pk: {"far_trainee", "far_inr", "far_governance_lead"},
    }
    for name, user in people.items():
        listed = set(agreement_list_for_user(user=user).values_list("pk", flat=True))
        for agreement in (own, sibling, far):
            sees = name == "administrator" or name in expected[agreement.pk]
            assert (agreement.pk in listed) is sees, ("selector", name, agreement.pk)
            assert user.has_perm("agreements.see_agreement", agreement) is sees, ("rule", name)
