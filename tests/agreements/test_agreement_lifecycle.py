"""Drafting, submitting, signing, amending and ending an agreement, through the services."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from agreements.models import VersionStatus
from agreements.services import agreement_amend, agreement_end_early, agreement_version_submit
from documents.models import GeneratedDocument
from signoffs.models import SignoffRequest

from .conftest import draft, sign_step, submit_and_sign_all

pytestmark = pytest.mark.django_db


def test_draft_copies_the_criteria_template_with_sources(world):
    agreement = draft(world)
    version = agreement.versions.get()
    assert version.status == VersionStatus.DRAFT
    criteria = list(version.criteria.all())
    assert len(criteria) == 11
    assert all(c.source for c in criteria)
    fifty = next(c for c in criteria if c.phase == 2 and c.kind == "cases")
    assert fifty.target == 50 and "Zhu" in fifty.source


def test_required_signatories_follow_the_spec_defaults(world):
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    labels = [s.label for s in request.steps.all()]
    assert labels == [
        "Trainee",
        "Lead supervisor (INR)",
        "Training lead, Southbank Neuroscience Centre",
        "Clinical director, Clinical Radiology, Northgate Hospitals NHS Trust",
        "Clinical director, Neuroradiology, Southbank Neuroscience Centre",
        "Medical director, Northgate Hospitals NHS Trust",
        "Medical director, Southbank Neuroscience Centre",
    ]
    version.refresh_from_db()
    assert version.status == VersionStatus.AWAITING_SIGNATURES


def test_same_organisation_needs_no_centre_signatures(world):
    version = draft(world, training_centre=world.employer, centre_directorate=None).versions.get()
    world.employer.is_training_centre = True
    world.employer.save()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    labels = [s.label for s in request.steps.all()]
    assert not any("Training lead" in label for label in labels)
    assert sum("Medical director" in label for label in labels) == 1


def test_signing_every_step_activates_and_produces_the_pdf(
    world, django_capture_on_commit_callbacks
):
    agreement = draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        version, request = submit_and_sign_all(world, agreement)
    assert version.status == VersionStatus.ACTIVE
    request.refresh_from_db()
    assert request.status == SignoffRequest.Status.APPROVED
    document = GeneratedDocument.objects.get(kind="agreement", subject_id=version.pk)
    assert document.status == GeneratedDocument.Status.READY
    assert len(document.sha256) == 64


def test_submitting_needs_both_statements(world):
    version = draft(
        world, job_plan_confirmed=False, service_protection_confirmed=False
    ).versions.get()
    with pytest.raises(ValidationError) as excinfo:
        agreement_version_submit(actor=world.training_lead, version=version)
    assert set(excinfo.value.message_dict) == {"job_plan_confirmed", "service_protection_confirmed"}
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert not SignoffRequest.objects.exists()


def test_a_decline_returns_the_draft_naming_who_declined_but_not_copying_the_reason(world):
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    md_step = request.steps.get(label__startswith="Medical director, Northgate")
    sign_step(world, md_step, decision="decline", reason="Backfill is not funded yet.")
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert "Dr Employer MD" in version.returned_reason
    # The reason stays on the signature (the page shows it from there: test_agreement_pages);
    # the note on the version is the app's own words.
    assert "Backfill" not in version.returned_reason


def test_a_signed_amendment_supersedes_the_old_version_and_its_pdf(
    world, django_capture_on_commit_callbacks
):
    agreement = draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = submit_and_sign_all(world, agreement)
    old_document = GeneratedDocument.objects.get(kind="agreement", subject_id=first.pk)
    amendment = agreement_amend(actor=world.training_lead, agreement=agreement)
    assert amendment.number == 2 and amendment.supersedes == first
    assert amendment.criteria.count() == first.criteria.count()
    with django_capture_on_commit_callbacks(execute=True):
        second, _ = submit_and_sign_all(world, agreement)
    first.refresh_from_db()
    old_document.refresh_from_db()
    assert second.status == VersionStatus.ACTIVE
    assert first.status == VersionStatus.SUPERSEDED
    assert old_document.superseded_by is not None


def test_only_an_active_agreement_can_be_amended(world):
    agreement = draft(world)
    with pytest.raises(ValidationError):
        agreement_amend(actor=world.training_lead, agreement=agreement)


def test_ending_early_records_reason_and_who(world):
    agreement = draft(world)
    submit_and_sign_all(world, agreement)
    with pytest.raises(ValidationError):
        agreement_end_early(actor=world.training_lead, agreement=agreement, reason="  ")
    version = agreement_end_early(
        actor=world.training_lead, agreement=agreement, reason="Trainee moved trust."
    )
    assert version.status == VersionStatus.ENDED_EARLY
    assert version.ended_by == world.training_lead and version.end_reason == "Trainee moved trust."


def test_audit_verify_passes_after_a_full_signing(world):
    submit_and_sign_all(world, draft(world))
    call_command("audit_verify")
