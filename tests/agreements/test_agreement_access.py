"""Who may open what: each role against each agreement page, the sign page and the PDF download,
for their own organisation's agreement and another's. What a role may not see answers 404."""

import pytest

from accounts.models import Role
from agreements.selectors import agreement_list_for_user
from agreements.services import agreement_version_submit
from documents.models import GeneratedDocument

from ..conftest import sign_in
from ..factories import DirectorateFactory, OrganisationFactory, make_member
from .conftest import World, build_world, draft, submit_and_sign_all

pytestmark = pytest.mark.django_db

SEES_OWN = {
    "trainee",
    "lead_supervisor",
    "second_supervisor",
    "training_lead",
    "employer_clinical_director",
    "centre_clinical_director",
    "employer_medical_director",
    "centre_medical_director",
    "governance_lead",
    "administrator",
}
DRAFTS = {
    "training_lead",
    "employer_clinical_director",
    "centre_clinical_director",
    "administrator",
}


@pytest.fixture
def setting(db, django_capture_on_commit_callbacks):
    world = build_world()
    with django_capture_on_commit_callbacks(execute=True):
        active, _ = submit_and_sign_all(world, draft(world))
    own_draft = draft(world, actor=world.employer_clinical_director)
    pending_request = agreement_version_submit(
        actor=world.training_lead, version=draft(world).versions.get()
    )
    # Another organisation's agreement, with its own people, which nobody above may see.
    other_employer = OrganisationFactory(name="Distant NHS Trust")
    other_centre = OrganisationFactory(name="Distant Neuroscience Centre", is_training_centre=True)
    other_trainee = make_member(Role.TRAINEE, other_employer)
    other_world = World(
        **{
            **world.__dict__,
            "employer": other_employer,
            "centre": other_centre,
            "employer_directorate": DirectorateFactory(organisation=other_employer),
            "centre_directorate": DirectorateFactory(organisation=other_centre),
            "trainee": other_trainee,
            "governance_lead": make_member(Role.GOVERNANCE_LEAD, other_employer),
            "lead_supervisor": make_member(Role.SUPERVISOR, other_centre),
            "second_supervisor": make_member(Role.SUPERVISOR, other_centre),
        }
    )
    other = draft(other_world, actor=world.administrator)
    people = world.people()
    people["unnamed_supervisor"] = make_member(Role.SUPERVISOR, world.centre)
    people["other_trainee"] = make_member(Role.TRAINEE, world.employer)
    document = GeneratedDocument.objects.get(kind="agreement", subject_id=active.pk)
    return world, people, active.agreement, own_draft, pending_request, other, document


def test_each_role_sees_exactly_its_agreements(setting, client):
    world, people, active, own_draft, pending, other, document = setting
    for name, user in people.items():
        visible = set(agreement_list_for_user(user=user).values_list("pk", flat=True))
        expected = (
            {active.pk, own_draft.pk, pending.subject.agreement_id} if name in SEES_OWN else set()
        )
        if name == "administrator":
            expected |= {other.pk}
        assert visible == expected, name
        for agreement in (active, other):
            assert (agreement.pk in visible) is user.has_perm(
                "agreements.see_agreement", agreement
            ), name


def test_permission_table(setting, client):
    world, people, active, own_draft, pending, other, document = setting
    step = pending.steps.get(label__startswith="Medical director, Northgate")
    for name, user in people.items():
        sees = name in SEES_OWN
        drafts = name in DRAFTS
        client.logout()
        sign_in(client, user, code_index=9)
        listing = client.get("/agreements/").content.decode()
        assert (active.reference in listing) is sees, name
        assert (other.reference in listing) is (name == "administrator"), name

        assert client.get(f"/agreements/{active.pk}/").status_code == (200 if sees else 404), name
        assert client.get(f"/agreements/{other.pk}/").status_code == (
            200 if name == "administrator" else 404
        ), name

        edit = client.get(f"/agreements/{own_draft.pk}/edit/").status_code
        assert edit == (200 if drafts else 403 if sees else 404), (name, edit)
        new = client.get("/agreements/new/").status_code
        assert new == (200 if drafts else 403), (name, new)

        download = client.get(f"/documents/{document.pk}/download/")
        assert download.status_code == (200 if sees else 404), name
        if sees:
            assert download["Content-Type"] == "application/pdf"

        sign_page = client.get(f"/signoffs/steps/{step.pk}/sign/")
        assert sign_page.status_code == (200 if sees else 404), name
        if sees:
            may_sign = name == "employer_medical_director"
            assert ('name="code"' in sign_page.content.decode()) is may_sign, name

        amend = client.post(f"/agreements/{other.pk}/amend/")
        assert amend.status_code in ((302,) if name == "administrator" else (404,)), name


def test_anonymous_visitors_see_nothing(setting, client):
    world, people, active, own_draft, pending, other, document = setting
    for path in (
        "/agreements/",
        f"/agreements/{active.pk}/",
        f"/documents/{document.pk}/download/",
        f"/signoffs/steps/{pending.steps.first().pk}/sign/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/account/login/" in response["Location"], path
