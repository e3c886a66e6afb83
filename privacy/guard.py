"""One identifier guard for every text a person writes, whichever door it came in by.

A field is *guarded* when it carries ``reject_patient_identifiers`` among its validators. Forms
built from the model (the app's pages, the admin) show the refusal beside the field; the
``pre_save`` receiver below is the backstop behind every other door (a service, an import, the
shell, a later API), so a row whose guarded text holds an identifier is never written. Every other
CharField and TextField must be named in ``SYSTEM_WRITTEN`` with the reason no person writes it; the
structural test (``tests/privacy/test_every_text_field_is_guarded.py``) fails on any field that is
neither, so a new field cannot be added unguarded by accident.

``bulk_create`` and ``QuerySet.update`` send no signal: governed models are written through services
that call ``save()`` (ARCHITECTURE.md, "Pitfalls"), and the places that bulk-write check first.
"""

from collections.abc import Collection
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .identifiers import find_patient_identifiers, reject_patient_identifiers

# Fields no person types into: the app writes them from choices, codes, hashes, or its own words.
# Keyed "app_label.ModelName.field". Each reason says why the guard is not needed.
SYSTEM_WRITTEN: dict[str, str] = {
    # People and organisations: staff and organisation names are not patient data, and the guard
    # would refuse every titled staff name ("Dr Priya Shah").
    "accounts.User.email": "a staff member's sign-in address",
    "accounts.User.full_name": "a staff member's own name; titled names are what the guard refuses",
    "accounts.User.gmc_number": "a 7-digit GMC number, checked by its own validator",
    "accounts.User.password": "a password hash",
    "accounts.Organisation.name": "an NHS organisation's name, entered by an administrator",
    "accounts.Organisation.kind": "a choice",
    "accounts.Organisation.country": "a country name",
    "accounts.Site.name": "a hospital site's name, entered by an administrator",
    "accounts.Directorate.name": "a directorate's name, entered by an administrator",
    "accounts.Membership.role": "a choice",
    # The audit log: the app writes every column; free text never enters it (only digests).
    "audit.AuditEvent.actor_label": "the actor's staff name and e-mail, from their account",
    "audit.AuditEvent.verb": "a code set by the service",
    "audit.AuditEvent.object_type": "a model label",
    "audit.AuditEvent.object_id": "a primary key",
    "audit.AuditEvent.object_repr": "a reference built by the app (kind and id), never prose",
    "audit.AuditEvent.summary": "a sentence built by the service from references, never prose",
    "audit.AuditEvent.request_id": "a random request id",
    "audit.AuditEvent.previous_hash": "a SHA-256",
    "audit.AuditEvent.hash": "a SHA-256",
    "audit.AuditChainHead.hash": "a SHA-256",
    "audit.Redaction.app_label": "a model's app label",
    "audit.Redaction.model": "a model's name",
    "audit.Redaction.field": "a field's name",
    "audit.Redaction.object_id": "a primary key",
    "audit.Redaction.commitment": "the HMAC of the text that was removed",
    "audit.Redaction.reason": "chosen from fixed reasons (privacy.redaction.REASONS)",
    # Sign-offs: titles, labels and meanings are the app's own words for each step.
    "signoffs.SignoffRequest.kind": "a registered kind code",
    "signoffs.SignoffRequest.title": "built by the app from a reference and a staff name",
    "signoffs.SignoffRequest.digest": "a SHA-256",
    "signoffs.SignoffRequest.status": "a choice",
    "signoffs.SignoffRequest.outcome_reason": "the app's own words for a void; a decline's "
    "reason stays on the signature",
    "signoffs.SignoffStep.label": "the app's words for who signs",
    "signoffs.SignoffStep.role": "a choice",
    "signoffs.SignoffStep.meaning": "the app's words for what signing means",
    "signoffs.SignoffStep.status": "a choice",
    "signoffs.Signature.signer_name": "copied from the signer's account",
    "signoffs.Signature.signer_gmc_number": "copied from the signer's account",
    "signoffs.Signature.signed_as": "copied from the step's label",
    "signoffs.Signature.decision": "a choice",
    "signoffs.Signature.meaning": "copied from the step's meaning",
    "signoffs.Signature.authentication": "the app's words for the second factor used",
    "signoffs.Signature.digest_seen": "a SHA-256",
    "signoffs.Signature.previous_hash": "a SHA-256",
    "signoffs.Signature.hash": "a SHA-256",
    # Documents: all written by the app.
    "documents.GeneratedDocument.kind": "a registered kind code",
    "documents.GeneratedDocument.content_digest": "a SHA-256",
    "documents.GeneratedDocument.template_version": "a version string",
    "documents.GeneratedDocument.verification_code": "a random code",
    "documents.GeneratedDocument.status": "a choice",
    "documents.GeneratedDocument.last_error": (
        "an exception's text from the renderer, shown to administrators"
    ),
    "documents.GeneratedDocument.sha256": "a SHA-256",
    "documents.GeneratedDocument.title": "built by the app from a reference",
    "documents.GeneratedDocument.person_name": "copied from a staff member's account",
    "documents.GeneratedDocument.revoked_reason": (
        "the app's own words (a return to an earlier phase)"
    ),
    "documents.IssuedCredential.key_id": "a key's thumbprint",
    "documents.IssuedCredential.token": (
        "a JWT the app signs from a staff member's name, GMC number and the agreement's criteria"
    ),
    # Agreements.
    "agreements.CriterionTemplate.kind": "a choice",
    "agreements.CriterionTemplate.source_status": "a choice",
    "agreements.TrainingAgreement.reference": "generated by the app",
    "agreements.AgreementVersion.status": "a choice",
    "agreements.AgreementVersion.returned_reason": "the app's words for who declined and when; the "
    "reason stays on the signature",
    "agreements.AgreementCriterion.kind": "a choice",
    "agreements.AgreementCriterion.source_status": "a choice",
    # The logbook: choices and codes only, besides the guarded free text.
    "caselogs.Case.procedure": "a choice",
    "caselogs.Case.trainee_role": "a choice",
    "caselogs.Case.supervision_mode": "a choice",
    "caselogs.Case.final_etici": "a choice",
    "caselogs.Case.sex": "a choice",
    "caselogs.Case.aspects_modality": "a choice",
    "caselogs.Case.occlusion_site": "a choice",
    "caselogs.Case.occlusion_side": "a choice",
    "caselogs.Case.thrombolysis": "a choice",
    "caselogs.Case.admission": "a choice",
    "caselogs.Case.onset_type": "a choice",
    "caselogs.Case.anaesthesia": "a choice",
    "caselogs.Case.access": "a choice",
    "caselogs.Case.technique": "a choice",
    "caselogs.Case.first_pass_etici": "a choice",
    "caselogs.Case.haemorrhage": "a choice",
    "caselogs.Case.sich_definition": "a choice",
    "caselogs.Case.mrs_90_days_method": "a choice",
    "caselogs.Case.status": "a choice",
    "caselogs.Case.accession_key": (
        "the one identifier the app takes in, exempt only because it is never stored: the "
        "trainee's accession number is replaced at once by its HMAC-SHA256 under the "
        "organisation's key (privacy.accession), and only that digest is kept"
    ),
    "caselogs.CaseVerification.supervisor_view_of_role": "a choice",
    "caselogs.CaseVerification.supervisor_view_of_mode": "a choice",
    "caselogs.CaseVerification.trainee_role_entered": "a choice",
    "caselogs.CaseVerification.supervision_mode_entered": "a choice",
    "caselogs.CaseVerification.decision": "a choice",
    "caselogs.Activity.kind": "a choice",
    "caselogs.Activity.status": "a choice",
    "caselogs.Assessment.kind": "a choice",
    # Phases.
    "phases.CompetencySignoff.competency": "a choice",
    "phases.ProgressionRequest.kind": "a choice",
    "phases.ProgressionRequest.status": "a choice",
    "phases.ProgressionRequest.outcome_reason": "the app's own words for the outcome; a decline's "
    "reason stays on the signature",
    "phases.PhaseRecord.reason": "the app's own words for why the phase started; a return's reason "
    "stays on its request",
    # Reconciliation (issue 16): a list's accession numbers are keyed on reading, like a case's.
    "reconciliation.ProcedureList.file_format": "a choice",
    "reconciliation.ListEntry.accession_key": (
        "an HMAC-SHA256 of the list's accession number under the organisation's key, never the "
        "number (privacy.accession)"
    ),
    "reconciliation.ListEntry.accession_key_previous": (
        "the same HMAC under the organisation's previous key, during a key rotation"
    ),
    "reconciliation.ListOperator.gmc_number": "a 7-digit GMC number, checked by its validator",
    "reconciliation.ListOperator.role": "a choice",
    "reconciliation.ListOperator.response": "a choice",
    "reconciliation.CaseReconciliation.state": "a choice",
    "reconciliation.SampledCase.confirmed": "a choice",
    "reconciliation.SampledCase.role": "a choice",
    "reconciliation.SampledCase.outcome": "a choice",
    # Governance.
    "governance.QualityStandard.key": "a code that names the indicator",
    "governance.QualityStandard.kind": "a choice",
    "governance.QualityStandard.measure": "a choice",
    "governance.QualityStandard.unit": "a choice",
    "governance.QualityStandard.direction": "a choice",
    "governance.QualityStandard.status": "a choice",
}

# Apps that are not ours: each holds configuration or bookkeeping that no clinician writes.
THIRD_PARTY_APPS: dict[str, str] = {
    "auth": "Django's groups and permissions: names set by the framework and administrators",
    "contenttypes": "model names",
    "sessions": "session keys and signed session data",
    "admin": "Django's admin log is not used (the audit log is)",
    "otp_totp": "second-factor devices: a device name and a secret",
    "otp_static": "backup codes (random tokens)",
    "axes": "sign-in attempts: user agent, address and path from the request",
    "django_celery_beat": "task schedules: task names and arguments set by the app",
}


def is_history_model(model: Any) -> bool:
    """simple-history's copies hold what was already checked on the row they copy."""
    return hasattr(model, "instance_type") and hasattr(model, "history_object")


@cache
def guarded_fields(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and reject_patient_identifiers in field.validators
    )


def guarded_field_errors(
    instance: models.Model, only: Collection[str] | None = None
) -> dict[str, list[str]]:
    """The guarded fields of ``instance`` (of ``only``, when given) whose text holds an
    identifier, with the message."""
    errors = {}
    for name in guarded_fields(type(instance)):
        if only is not None and name not in only:
            continue
        findings = find_patient_identifiers(getattr(instance, name) or "")
        if findings:
            errors[name] = [findings[0].message]
    return errors


def guard_free_text(instance: models.Model, only: Collection[str] | None = None) -> None:
    """Refuse ``instance`` if any guarded text holds an identifier (a ValidationError by field)."""
    errors = guarded_field_errors(instance, only)
    if errors:
        raise ValidationError(errors, code="patient_identifier")


def guard_free_text_before_save(
    sender: type[models.Model],
    instance: models.Model,
    update_fields: Collection[str] | None = None,
    **kwargs: Any,
) -> None:
    if is_history_model(sender):
        return
    # A save of named fields writes only those: a status change must not fail on older text
    # that scan_identifiers reports and an administrator redacts.
    guard_free_text(instance, only=update_fields)


def unguarded_text_fields() -> list[str]:
    """Every CharField and TextField of our models that is neither guarded nor listed, with the
    listed names that no longer exist: both must be empty (tests/privacy)."""
    from django.apps import apps

    problems, seen = [], set()
    for model in apps.get_models():
        if is_history_model(model) or model._meta.app_label in THIRD_PARTY_APPS:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)):
                continue
            key = f"{model._meta.app_label}.{model.__name__}.{field.name}"
            seen.add(key)
            if reject_patient_identifiers not in field.validators and key not in SYSTEM_WRITTEN:
                problems.append(f"{key} is neither guarded nor listed as system-written")
    problems += [f"{key} is listed but does not exist" for key in SYSTEM_WRITTEN if key not in seen]
    return problems
