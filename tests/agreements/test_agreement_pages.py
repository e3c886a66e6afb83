"""The agreement pages as people use them: the draft form and its errors, signing with a code."""

import pytest

from agreements.models import AgreementVersion, TrainingAgreement, VersionStatus
from agreements.services import agreement_version_submit
from signoffs.models import Signature

from ..conftest import sign_in
from ..factories import TEST_BACKUP_CODES
from .conftest import draft, terms_for

pytestmark = pytest.mark.django_db


def _form_data(world, **overrides):
    terms = terms_for(world)
    data = {
        "trainee": world.trainee.pk,
        "criteria_template": 1,
        "employer": world.employer.pk,
        "employer_directorate": world.employer_directorate.pk,
        "training_centre": world.centre.pk,
        "centre_directorate": world.centre_directorate.pk,
        "supervisors": [world.lead_supervisor.pk, world.second_supervisor.pk],
        "lead_supervisor": world.lead_supervisor.pk,
        "start_date": "2026-12-01",
        "expected_duration_months": "18",
        "review_dates": "2027-06-01\n2027-12-01",
        "sessions_per_week": "2",
        "arrangements": terms["arrangements"],
        "backfill_trainee_service": terms["backfill_trainee_service"],
        "backfill_trainee_sessions": "1",
        "backfill_centre": terms["backfill_centre"],
        "backfill_centre_sessions": "1",
        "job_plan_confirmed": "on",
        "service_protection_confirmed": "on",
        "independence_local_terms": "",
        "audit_frequency_months": "12",
        "governance_lead": world.governance_lead.pk,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _errors(response):
    form = response.context["form"]
    return {field: " ".join(messages) for field, messages in form.errors.items()}


def test_training_lead_drafts_an_agreement(client, world):
    from agreements.models import CriteriaTemplate

    template = CriteriaTemplate.objects.get()
    sign_in(client, world.training_lead)
    response = client.post("/agreements/new/", _form_data(world, criteria_template=template.pk))
    assert response.status_code == 302, _errors(response)
    agreement = TrainingAgreement.objects.get()
    assert agreement.trainee == world.trainee
    version = agreement.versions.get()
    assert version.review_dates == ["2027-06-01", "2027-12-01"]
    assert version.supervisors.get(is_lead=True).supervisor == world.lead_supervisor


REQUIRED = [
    "trainee",
    "employer",
    "employer_directorate",
    "training_centre",
    "supervisors",
    "lead_supervisor",
    "start_date",
    "expected_duration_months",
    "sessions_per_week",
    "arrangements",
    "backfill_trainee_service",
    "backfill_centre",
    "governance_lead",
]


@pytest.mark.parametrize("field", REQUIRED)
def test_each_required_term_missing_is_named_beside_its_field(client, world, field):
    sign_in(client, world.training_lead)
    response = client.post("/agreements/new/", _form_data(world, **{field: None}))
    assert response.status_code == 200
    assert field in _errors(response)
    # The message says what to do and names the field: "Enter the start date", "Choose the
    # trainee" (the design system's words), not "This field is required".
    label = str(response.context["form"][field].label)
    message = _errors(response)[field]
    assert message.startswith(("Enter the ", "Choose the ")), message
    assert label.lower() in message.lower(), message
    assert not TrainingAgreement.objects.exists()


def test_review_date_before_start_date_is_refused(client, world):
    sign_in(client, world.training_lead)
    response = client.post("/agreements/new/", _form_data(world, review_dates="2026-06-01"))
    assert "not after the start date" in _errors(response)["review_dates"]
    assert not TrainingAgreement.objects.exists()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("sessions_per_week", "0", "greater than"),
        ("expected_duration_months", "0", "greater than or equal to 1"),
        ("review_dates", "next spring", "is not a date"),
        ("minimum_mt_per_year", "0", "greater than or equal to 1"),
        ("minimum_mt_per_year", "lots", "Enter a whole number"),
        ("employer_directorate", "centre", "Choose a directorate of"),
    ],
)
def test_other_bad_terms_are_refused_beside_the_field(client, world, field, value, message):
    if value == "centre":
        value = world.centre_directorate.pk
    sign_in(client, world.training_lead)
    response = client.post("/agreements/new/", _form_data(world, **{field: value}))
    assert message in _errors(response).get(field, ""), _errors(response)
    assert not TrainingAgreement.objects.exists()


def test_submitting_without_the_statements_is_refused_beside_them(client, world):
    agreement = draft(world, job_plan_confirmed=False, service_protection_confirmed=False)
    version = agreement.versions.get()
    sign_in(client, world.training_lead)
    data = _form_data(world, job_plan_confirmed=None, service_protection_confirmed=None)
    data.update({"criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0", "submit": "1"})
    response = client.post(f"/agreements/{agreement.pk}/edit/", data)
    errors = _errors(response)
    assert "Confirm that job plans" in errors["job_plan_confirmed"]
    assert "does not compromise" in errors["service_protection_confirmed"]
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_editing_criteria_figures_in_a_draft(client, world):
    agreement = draft(world)
    version = agreement.versions.get()
    criteria = list(version.criteria.all())
    sign_in(client, world.training_lead)
    data = _form_data(world)
    data.update(
        {"criteria-TOTAL_FORMS": str(len(criteria)), "criteria-INITIAL_FORMS": str(len(criteria))}
    )
    for i, c in enumerate(criteria):
        data.update(
            {
                f"criteria-{i}-criterion_id": c.pk,
                f"criteria-{i}-description": c.description,
                f"criteria-{i}-target": "60" if (c.phase, c.kind) == (2, "cases") else c.target,
            }
        )
    response = client.post(f"/agreements/{agreement.pk}/edit/", data)
    assert response.status_code == 302
    assert version.criteria.get(phase=2, kind="cases").target == 60


def _open(world):
    version = draft(world).versions.get()
    return agreement_version_submit(actor=world.training_lead, version=version)


def test_a_wrong_code_is_refused_beside_the_code_field(client, world):
    request = _open(world)
    step = request.steps.get(label="Trainee")
    sign_in(client, world.trainee)
    response = client.post(
        f"/signoffs/steps/{step.pk}/sign/", {"decision": "approve", "code": "999999"}
    )
    assert "not right" in " ".join(response.context["form"].errors["code"])
    assert not Signature.objects.exists()


def test_signing_with_a_fresh_code_records_the_method(client, world):
    request = _open(world)
    step = request.steps.get(label="Trainee")
    sign_in(client, world.trainee, code_index=0)
    response = client.post(
        f"/signoffs/steps/{step.pk}/sign/",
        {"decision": "approve", "code": TEST_BACKUP_CODES[1]},
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.signer == world.trainee
    assert "backup code" in signature.authentication
    assert signature.digest_seen == request.digest
    # Signing twice: the step now says it is signed, and a second post is refused.
    again = client.post(
        f"/signoffs/steps/{step.pk}/sign/", {"decision": "approve", "code": TEST_BACKUP_CODES[2]}
    )
    assert "already been signed" in again.content.decode()
    assert Signature.objects.count() == 1


def test_someone_who_may_see_but_not_sign_is_told_why(client, world):
    request = _open(world)
    step = request.steps.get(label__startswith="Medical director, Northgate")
    sign_in(client, world.governance_lead)
    page = client.get(f"/signoffs/steps/{step.pk}/sign/")
    assert page.status_code == 200
    assert "not eligible to sign this step, which is for: Medical director, Northgate" in (
        page.content.decode()
    )
    post = client.post(
        f"/signoffs/steps/{step.pk}/sign/", {"decision": "approve", "code": TEST_BACKUP_CODES[1]}
    )
    assert "not eligible" in post.content.decode()
    assert not Signature.objects.exists()


def test_a_decline_needs_a_reason_and_shows_it_to_the_author(client, world):
    request = _open(world)
    step = request.steps.get(label__startswith="Medical director, Northgate")
    sign_in(client, world.employer_medical_director)
    no_reason = client.post(
        f"/signoffs/steps/{step.pk}/sign/", {"decision": "decline", "code": TEST_BACKUP_CODES[1]}
    )
    assert "Give the reason" in " ".join(no_reason.context["form"].errors["reason"])
    client.post(
        f"/signoffs/steps/{step.pk}/sign/",
        {"decision": "decline", "reason": "Backfill is not funded.", "code": TEST_BACKUP_CODES[2]},
    )
    client.post("/account/logout/")
    sign_in(client, world.training_lead)
    page = client.get(f"/agreements/{request.subject.agreement_id}/").content.decode()
    assert "Returned for changes" in page and "Backfill is not funded." in page
    assert AgreementVersion.objects.get(pk=request.subject_id).status == VersionStatus.DRAFT
