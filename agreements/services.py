"""Writes for training agreements: drafting, submitting for signature, amending, ending early,
and what happens when the sign-off engine reports an outcome."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_changes, audit_event_record
from documents.selectors import document_latest_for_subject
from documents.services import document_request, document_supersede
from privacy.commitments import text_commitment
from signoffs.models import Signature, SignoffRequest, content_digest
from signoffs.services import signoff_request_open

from .content import agreement_version_content
from .models import (
    END_EARLY_FROM,
    AgreementCriterion,
    AgreementVersion,
    CriteriaTemplate,
    CriterionFields,
    NamedSupervisor,
    SourceStatus,
    TrainingAgreement,
    VersionStatus,
)
from .selectors import agreement_end_early_refusal
from .signals import agreement_version_activated
from .signatories import agreement_required_signatories

SIGNOFF_KIND = "agreement_version"
LOCAL = "Agreed locally"
DOCUMENT_KIND = "agreement"

# The terms a draft form edits; everything else on a version is lifecycle.
TERM_FIELDS = (
    "employer",
    "employer_directorate",
    "training_centre",
    "centre_directorate",
    "start_date",
    "expected_duration_months",
    "review_dates",
    "sessions_per_week",
    "arrangements",
    "backfill_trainee_service",
    "backfill_trainee_sessions",
    "backfill_centre",
    "backfill_centre_sessions",
    "job_plan_confirmed",
    "service_protection_confirmed",
    "independence_local_terms",
    "audit_frequency_months",
    "minimum_mt_per_year",
    "governance_lead",
)


@dataclass(frozen=True)
class SupervisorChoice:
    supervisors: list[User]
    lead: User


def _set_terms(version: AgreementVersion, terms: dict) -> None:
    for name in TERM_FIELDS:
        if name in terms:
            setattr(version, name, terms[name])


def _set_supervisors(version: AgreementVersion, choice: SupervisorChoice) -> None:
    trainee = version.agreement.trainee
    if trainee in choice.supervisors or choice.lead == trainee:
        # A person can hold both roles; nobody supervises, or signs as supervisor for, their own
        # training.
        errors = {
            "supervisors": f"{trainee.full_name} is the trainee of this agreement, so cannot "
            "also be one of its supervisors."
        }
        if choice.lead == trainee:
            errors["lead_supervisor"] = "The trainee cannot be their own lead supervisor."
        raise ValidationError(errors)
    if choice.lead not in choice.supervisors:
        raise ValidationError(
            {"lead_supervisor": "The lead supervisor must be one of the named supervisors."}
        )
    version.supervisors.all().delete()
    for user in choice.supervisors:
        NamedSupervisor.objects.create(
            version=version, supervisor=user, is_lead=user == choice.lead
        )


def _supervisor_keys(version: AgreementVersion) -> list[list]:
    return sorted([named.supervisor_id, named.is_lead] for named in version.supervisors.all())


def _copy_criteria(source_rows: Iterable[CriterionFields], version: AgreementVersion) -> None:
    for row in source_rows:
        AgreementCriterion.objects.create(
            version=version,
            phase=row.phase,
            position=row.position,
            kind=row.kind,
            target=row.target,
            parameters=row.parameters,
            description=row.description,
            source=row.source,
            source_status=row.source_status,
        )


def agreement_create(
    *,
    actor: User,
    trainee: User,
    terms: dict,
    supervisors: SupervisorChoice,
    criteria_template: CriteriaTemplate,
) -> TrainingAgreement:
    with transaction.atomic():
        agreement = TrainingAgreement.objects.create(
            reference=f"TA-{timezone.now():%Y}-{uuid.uuid4().hex[:6].upper()}",
            trainee=trainee,
            created_by=actor,
        )
        version = AgreementVersion(
            agreement=agreement, number=1, criteria_template=criteria_template
        )
        _set_terms(version, terms)
        version.full_clean()
        version.save()
        _set_supervisors(version, supervisors)
        _copy_criteria(criteria_template.criteria.all(), version)
        audit_event_record(
            actor=actor,
            verb="agreement.drafted",
            subject=agreement,
            summary=f"Training agreement {agreement.reference} drafted for {trainee}",
        )
    return agreement


def agreement_version_update(
    *,
    actor: User,
    version: AgreementVersion,
    terms: dict,
    supervisors: SupervisorChoice,
    criteria_targets: dict[int, dict] | None = None,
) -> AgreementVersion:
    """Edit a draft. ``criteria_targets`` maps criterion id to its new target and description."""
    with transaction.atomic():
        version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        if not version.is_editable:
            raise ValidationError("Only a draft can be edited; this version is frozen.")
        before = {name: getattr(version, name) for name in TERM_FIELDS}
        before["supervisors"] = _supervisor_keys(version)
        _set_terms(version, terms)
        version.full_clean()
        version.save()
        _set_supervisors(version, supervisors)
        after = {name: getattr(version, name) for name in TERM_FIELDS}
        after["supervisors"] = _supervisor_keys(version)
        criteria_changed = {}
        targets = criteria_targets or {}
        for criterion in version.criteria.filter(pk__in=list(targets)):
            change = targets[criterion.pk]
            changed = audit_changes(
                {"target": criterion.target, "description": criterion.description},
                {"target": change["target"], "description": change["description"]},
            )
            if changed:
                criteria_changed[str(criterion.pk)] = changed
            if change["target"] != criterion.target and not criterion.source.startswith(LOCAL):
                # A figure changed here no longer rests on the template's source alone.
                criterion.source = (
                    f"{LOCAL} (template default {criterion.target.normalize():f}). "
                    f"{criterion.source}"[:300]
                )
                criterion.source_status = SourceStatus.CONFIRMED
            criterion.target = change["target"]
            criterion.description = change["description"]
            criterion.save(update_fields=["target", "description", "source", "source_status"])
        audit_event_record(
            actor=actor,
            verb="agreement.edited",
            subject=version,
            summary=f"Draft {version} edited",
            # Which fields changed, each with a commitment to its new value: the text stays in
            # the version's row (and its history).
            data={"changed": audit_changes(before, after), "criteria_changed": criteria_changed},
        )
    return version


def agreement_version_submit(*, actor: User, version: AgreementVersion) -> SignoffRequest:
    """Freeze the draft and open the sign-off with every required signatory."""
    with transaction.atomic():
        version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        if not version.is_editable:
            raise ValidationError("This version has already been submitted.")
        missing = {}
        if not version.job_plan_confirmed:
            missing["job_plan_confirmed"] = (
                "Confirm that job plans recognise the elective and emergency commitments."
            )
        if not version.service_protection_confirmed:
            missing["service_protection_confirmed"] = (
                "Confirm that the arrangement does not compromise INR or IR services."
            )
        if not version.supervisors.filter(is_lead=True).exists():
            missing["lead_supervisor"] = (
                "Name a lead supervisor (an INR who performs thrombectomy)."
            )
        if missing:
            raise ValidationError(missing)
        version.submit()
        version.submitted_at = timezone.now()
        version.returned_reason = ""
        version.save()
        request = signoff_request_open(
            kind=SIGNOFF_KIND,
            subject=version,
            title=f"Training agreement {version.agreement.reference}, version {version.number}, "
            f"for {version.agreement.trainee.full_name}",
            steps=agreement_required_signatories(version),
            created_by=actor,
            about_user=version.agreement.trainee,
        )
        audit_event_record(
            actor=actor,
            verb="agreement.submitted",
            subject=version,
            summary=f"{version} submitted for signature",
            data={"digest": request.digest},
        )
    return request


def agreement_amend(*, actor: User, agreement: TrainingAgreement) -> AgreementVersion:
    """Start an amendment: a new draft version copying the active one, which stays in force."""
    with transaction.atomic():
        active = (
            AgreementVersion.objects.select_for_update()
            .filter(agreement=agreement, status=VersionStatus.ACTIVE)
            .first()
        )
        if active is None:
            raise ValidationError("Only an active agreement can be amended.")
        if agreement.versions.filter(
            status__in=[VersionStatus.DRAFT, VersionStatus.AWAITING_SIGNATURES]
        ).exists():
            raise ValidationError("An amendment is already in progress.")
        draft = AgreementVersion(
            agreement=agreement,
            number=active.number + 1,
            supersedes=active,
            criteria_template=active.criteria_template,
        )
        _set_terms(draft, {name: getattr(active, name) for name in TERM_FIELDS})
        draft.save()
        for named in active.supervisors.all():
            NamedSupervisor.objects.create(
                version=draft, supervisor=named.supervisor, is_lead=named.is_lead
            )
        _copy_criteria(active.criteria.all(), draft)
        audit_event_record(
            actor=actor,
            verb="agreement.amendment_started",
            subject=draft,
            summary=f"Amendment started: {draft}",
        )
    return draft


def agreement_end_early(
    *, actor: User, agreement: TrainingAgreement, reason: str
) -> AgreementVersion:
    """End the agreement: its version in force and any draft amendment end together. Refused while
    a version awaits signatures (agreement_end_early_refusal, which the page reads too)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason the agreement ends early."})
    with transaction.atomic():
        # Lock every version first, so a signature settling at this moment waits for the end.
        versions = list(
            AgreementVersion.objects.select_for_update()
            .filter(agreement=agreement)
            .order_by("-number")
        )
        refusal = agreement_end_early_refusal(agreement)
        if refusal:
            raise ValidationError(refusal)
        ending = [v for v in versions if v.status in END_EARLY_FROM]
        for version in ending:
            version.end_early()
            version.closed_at = timezone.now()
            version.end_reason = reason
            version.ended_by = actor
            version.save()
        audit_event_record(
            actor=actor,
            verb="agreement.ended_early",
            subject=agreement,
            summary=f"{agreement} ended early",
            data={"changed": {"end_reason": text_commitment(reason)}},
        )
    return ending[0]


def agreement_document_digest(request: SignoffRequest) -> str:
    """The signed content and the last signature together: one document per signed version."""
    last = request.signatures.order_by("-sequence").first()
    return content_digest({"content": request.digest, "last_signature": last.hash if last else ""})


def on_agreement_signed(request: SignoffRequest, signer: User) -> None:
    """Every party has signed: the version is in force, and its PDF is produced."""
    version = AgreementVersion.objects.select_for_update().get(pk=request.subject_id)
    version.activate()
    version.activated_at = timezone.now()
    version.save()
    new_document = document_request(
        kind=DOCUMENT_KIND,
        subject=version,
        content_digest=agreement_document_digest(request),
    )
    if version.supersedes_id:
        previous = AgreementVersion.objects.select_for_update().get(pk=version.supersedes_id)
        previous.supersede()
        previous.closed_at = timezone.now()
        previous.save()
        previous_document = document_latest_for_subject(DOCUMENT_KIND, previous)
        if previous_document is not None:
            document_supersede(document=previous_document, superseded_by=new_document, actor=signer)
    agreement_version_activated.send(sender=AgreementVersion, version=version)
    audit_event_record(
        actor=signer,
        verb="agreement.activated",
        subject=version,
        summary=f"{version} signed by every party and now in force",
    )


def on_agreement_declined(request: SignoffRequest, signature: Signature) -> None:
    version = AgreementVersion.objects.select_for_update().get(pk=request.subject_id)
    version.return_to_draft()
    # The app's words only: the signer's reason stays on their signature, shown beside this.
    version.returned_reason = (
        f"{signature.signer_name} ({signature.signed_as}) declined on "
        f"{signature.signed_at:%-d %b %Y}."
    )
    version.save()


def on_agreement_request_void(request: SignoffRequest) -> None:
    version = AgreementVersion.objects.select_for_update().get(pk=request.subject_id)
    version.return_to_draft()
    version.returned_reason = request.outcome_reason
    version.save()


def agreement_content_for_signoff(version: AgreementVersion) -> dict:
    return agreement_version_content(version)
