"""Writes for phases: starting phase 1, competency sign-offs, progression requests and their
outcomes (next phase, independence with its certificate, return to an earlier phase), and the
annual review of independent practice."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from agreements.models import AgreementVersion, TrainingAgreement
from agreements.selectors import named_supervisors
from audit.redaction import committed_text
from audit.services import audit_event_record
from caselogs import choices as c
from caselogs.selectors import verified_cases
from documents.selectors import document_latest_for_subject
from documents.services import document_request, document_revoke
from signoffs.eligibility import user_is_eligible_for_step
from signoffs.models import Signature, SignoffRequest, content_digest
from signoffs.services import StepSpec, signoff_request_open

from .certificate import CERTIFICATE_KIND
from .models import CompetencySignoff, Phase, PhaseRecord, ProgressionRequest
from .registry import annual_review_sections
from .selectors import current_phase, progress_for, version_in_force

SIGNOFF_KIND = "phase_progression"


def phase_one_start(*, version: AgreementVersion) -> PhaseRecord | None:
    """Phase 1 starts when the agreement first comes into force (an amendment changes nothing)."""
    if PhaseRecord.objects.filter(agreement_id=version.agreement_id).exists():
        return None
    today = timezone.localdate()
    started = min(version.start_date, today)
    return PhaseRecord.objects.create(
        agreement_id=version.agreement_id, phase=1, started_on=started
    )


def competency_sign(
    *, agreement: TrainingAgreement, supervisor: User, competency: str, statement: str = ""
) -> CompetencySignoff:
    version = version_in_force(agreement)
    if version is None or supervisor not in named_supervisors(version):
        raise ValidationError("Only a supervisor named on the agreement can sign off a competency.")
    if supervisor.pk == agreement.trainee_id:
        raise ValidationError("You cannot sign off your own competency.")
    if CompetencySignoff.objects.filter(
        agreement=agreement, competency=competency, supervisor=supervisor
    ).exists():
        raise ValidationError({"competency": "You have already signed off this competency."})
    with transaction.atomic():
        signoff = CompetencySignoff(
            agreement=agreement, competency=competency, supervisor=supervisor, statement=statement
        )
        signoff.full_clean()
        signoff.save()
        audit_event_record(
            actor=supervisor,
            verb="competency.signed",
            subject=agreement,
            summary=f"{signoff} for {agreement.trainee}",
        )
    return signoff


def _trainee_steps(version: AgreementVersion, kind: str) -> list[StepSpec]:
    trainee = version.agreement.trainee
    lead = version.supervisors.get(is_lead=True).supervisor
    employer, centre = version.employer, version.training_centre
    if kind == ProgressionRequest.Kind.ADVANCE:
        return [
            StepSpec(
                label="Lead supervisor (INR)",
                named_user=lead,
                meaning=f"I approve that {trainee.full_name} moves from phase 1 "
                "(direct supervision) to phase 2 (indirect supervision), on the evidence attached.",
            )
        ]
    independence = (
        f"{trainee.full_name} may start independent stroke thrombectomy at {employer.name}"
    )
    steps = [
        StepSpec(
            label="Lead supervisor (INR): recommends",
            named_user=lead,
            meaning=f"I recommend that {independence}.",
        ),
        StepSpec(
            label=f"Second INR, {centre.name}: concurs",
            role=Role.SUPERVISOR,
            organisation=centre,
            meaning=f"As a second INR, I concur that {independence}.",
        ),
    ]
    if version.centre_is_separate:
        steps.append(
            StepSpec(
                label=f"Training lead, {centre.name}",
                role=Role.TRAINING_LEAD,
                organisation=centre,
                meaning=f"I agree, for the training centre, that {independence}.",
            )
        )
    steps += [
        StepSpec(
            label=f"Clinical director, {version.employer_directorate.name}, {employer.name}",
            role=Role.CLINICAL_DIRECTOR,
            organisation=employer,
            directorate=version.employer_directorate,
            meaning=f"I countersign that {independence}.",
        ),
        StepSpec(
            label=f"Medical director, {centre.name} (principal training hospital)",
            role=Role.MEDICAL_DIRECTOR,
            organisation=centre,
            meaning=f"As medical director of the principal training hospital, I countersign "
            f"that {independence}.",
        ),
        StepSpec(
            label="Governance lead: acknowledges",
            named_user=version.governance_lead,
            is_acknowledgement=True,
            meaning=f"I acknowledge, for local healthcare governance, that {independence}, "
            "subject to continued audit.",
        ),
    ]
    return steps


def progression_request_make(*, agreement: TrainingAgreement, actor: User) -> ProgressionRequest:
    """Ask to move on. Refused, naming what is missing, unless every criterion is met now."""
    with transaction.atomic():
        phase = (
            PhaseRecord.objects.select_for_update()
            .filter(agreement=agreement, ended_on__isnull=True)
            .first()
        )
        if phase is None or phase.phase == Phase.INDEPENDENT:
            raise ValidationError("There is no phase to move on from.")
        progress = progress_for(agreement)
        version = progress.version
        assert version is not None  # a phase runs under a version in force
        if actor.pk != agreement.trainee_id and actor not in named_supervisors(version):
            raise ValidationError(
                "Only the trainee or one of their supervisors can ask to move on."
            )
        _refuse_if_a_request_is_open(agreement)
        if not progress.all_met:
            raise ValidationError(
                "Not every criterion is met yet. Missing: "
                + "; ".join(f"{i.description} ({i.missing})" for i in progress.unmet)
            )
        kind = (
            ProgressionRequest.Kind.ADVANCE
            if phase.phase == Phase.DIRECT
            else ProgressionRequest.Kind.INDEPENDENCE
        )
        request = ProgressionRequest.objects.create(
            agreement=agreement,
            kind=kind,
            from_phase=phase.phase,
            to_phase=phase.phase + 1,
            requested_by=actor,
            snapshot={
                "judged_at": timezone.now().isoformat(),
                "phase_started_on": phase.started_on.isoformat(),
                "version": version.number,
                "criteria": [item.as_snapshot() for item in progress.items],
                # Verified cases the hospital's lists confirm, as they stood (issue 16).
                "reconciliation": progress.reconciliation.as_dict()
                if progress.reconciliation
                else None,
            },
        )
        _open_signoff(
            request,
            version,
            _trainee_steps(version, kind),
            actor,
            ordered=kind == ProgressionRequest.Kind.INDEPENDENCE,
        )
    return request


def _open_signoff(
    request: ProgressionRequest,
    version: AgreementVersion,
    steps: list[StepSpec],
    actor: User,
    ordered: bool,
) -> None:
    signoff_request_open(
        kind=SIGNOFF_KIND,
        subject=request,
        steps=steps,
        created_by=actor,
        about_user=version.agreement.trainee,
        ordered=ordered,
        title=f"{request.get_kind_display()}: {version.agreement.trainee.full_name} "
        f"({version.agreement.reference})",
    )
    audit_event_record(
        actor=actor,
        verb=f"phase.{request.kind}_requested",
        subject=request,
        summary=f"{request} requested by {actor}",
    )


def _refuse_if_a_request_is_open(agreement: TrainingAgreement) -> None:
    # Lock the open request, if any, so two people cannot open a second one at the same moment.
    if (
        ProgressionRequest.objects.select_for_update()
        .filter(agreement=agreement, status="open")
        .exists()
    ):
        raise ValidationError(
            "Another request for this trainee is waiting for signatures; it must be decided first."
        )


def phase_return_request(
    *, agreement: TrainingAgreement, actor: User, to_phase: int, reason: str
) -> ProgressionRequest:
    """A concern about practice: the clinical director and medical director sign a return."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Give the reason for the return: it is kept in the phase history."}
        )
    with transaction.atomic():
        _refuse_if_a_request_is_open(agreement)
        phase = current_phase(agreement)
        if phase is None or to_phase >= phase.phase:
            raise ValidationError({"to_phase": "Choose an earlier phase than the current one."})
        version = version_in_force(agreement)
        assert version is not None  # a phase runs under a version in force
        request = ProgressionRequest.objects.create(
            agreement=agreement,
            kind=ProgressionRequest.Kind.RETURN,
            from_phase=phase.phase,
            to_phase=to_phase,
            requested_by=actor,
            reason=reason,
            snapshot={},
        )
        steps = [
            StepSpec(
                label=f"Clinical director, {version.employer_directorate.name}, "
                f"{version.employer.name}",
                role=Role.CLINICAL_DIRECTOR,
                organisation=version.employer,
                directorate=version.employer_directorate,
                meaning=f"I agree that {agreement.trainee.full_name} returns to "
                f"{Phase(to_phase).label}, for the reason given in the request.",
            ),
            StepSpec(
                label=f"Medical director, {version.employer.name}",
                role=Role.MEDICAL_DIRECTOR,
                organisation=version.employer,
                meaning=f"I agree that {agreement.trainee.full_name} returns to "
                f"{Phase(to_phase).label}, for the reason given in the request.",
            ),
        ]
        _open_signoff(request, version, steps, actor, ordered=False)
    return request


def annual_review_figures(agreement: TrainingAgreement, *, days: int = 365) -> dict:
    """The year's verified practice for an annual review: volumes and outcome rates."""
    since = timezone.localdate() - timedelta(days=days)
    cases = verified_cases().filter(
        agreement=agreement, performed_on__gte=since, procedure=c.Procedure.MT
    )
    grades = list(cases.values_list("final_etici", flat=True))
    successful = sum(1 for g in grades if g in c.SUCCESSFUL_REPERFUSION)
    return {
        "period_days": days,
        "mt_cases": len(grades),
        "successful_reperfusion": successful,
        "successful_reperfusion_percent": round(100 * successful / len(grades), 1)
        if grades
        else None,
        "with_complication": cases.filter(any_complication=True).count(),
    }


def annual_review_request(*, agreement: TrainingAgreement, actor: User) -> ProgressionRequest:
    """Phase 3: the clinical director and the governance lead sign the year's review."""
    with transaction.atomic():
        _refuse_if_a_request_is_open(agreement)
        phase = current_phase(agreement)
        if phase is None or phase.phase != Phase.INDEPENDENT:
            raise ValidationError("An annual review is for independent practice (phase 3).")
        version = version_in_force(agreement)
        assert version is not None  # a phase runs under a version in force
        figures = annual_review_figures(agreement)
        request = ProgressionRequest.objects.create(
            agreement=agreement,
            kind=ProgressionRequest.Kind.ANNUAL_REVIEW,
            from_phase=3,
            to_phase=3,
            requested_by=actor,
            snapshot={"figures": figures, **annual_review_sections(agreement)},
        )
        practice = (
            f"{agreement.trainee.full_name}'s independent practice over the last year "
            f"({figures['mt_cases']} thrombectomies)"
        )
        steps = [
            StepSpec(
                label=f"Clinical director, {version.employer_directorate.name}, "
                f"{version.employer.name}",
                role=Role.CLINICAL_DIRECTOR,
                organisation=version.employer,
                directorate=version.employer_directorate,
                meaning=f"I have reviewed {practice} and agree it may continue.",
            ),
            StepSpec(
                label="Governance lead",
                named_user=version.governance_lead,
                meaning=f"I have reviewed, for local governance, {practice}.",
            ),
        ]
        _open_signoff(request, version, steps, actor, ordered=False)
    return request


def progression_content(request: ProgressionRequest) -> dict:
    return {
        "request": request.pk,
        "agreement": request.agreement.reference,
        "kind": request.kind,
        "from_phase": request.from_phase,
        "to_phase": request.to_phase,
        # A commitment, not the text: the reason stays on the request and can be redacted.
        "reason": committed_text(request, "reason"),
        "snapshot": request.snapshot,
    }


def on_progression_approved(signoff: SignoffRequest, signer: User) -> None:
    request = ProgressionRequest.objects.select_for_update().get(pk=signoff.subject_id)
    request.status = ProgressionRequest.Status.APPROVED
    request.decided_at = timezone.now()
    request.save()
    if request.kind == ProgressionRequest.Kind.ANNUAL_REVIEW:
        audit_event_record(
            actor=signer,
            verb="phase.annual_review_approved",
            subject=request,
            summary=f"Annual review signed for {request.agreement.trainee}",
        )
        return
    today = timezone.localdate()
    phase = PhaseRecord.objects.select_for_update().get(
        agreement=request.agreement, ended_on__isnull=True
    )
    phase.ended_on = today
    phase.save()
    PhaseRecord.objects.create(
        agreement=request.agreement,
        phase=request.to_phase,
        started_on=today,
        reason=f"{request.get_kind_display()} approved (request {request.pk})",
    )
    if request.kind == ProgressionRequest.Kind.INDEPENDENCE:
        version = AgreementVersion.objects.select_for_update().get(
            agreement=request.agreement, status="active"
        )
        version.complete()
        version.closed_at = timezone.now()
        version.save()
        document_request(
            kind=CERTIFICATE_KIND,
            subject=request,
            content_digest=content_digest({"signoff": signoff.digest, "request": request.pk}),
        )
    if request.kind == ProgressionRequest.Kind.RETURN:
        _revoke_certificates(request, signer)
    audit_event_record(
        actor=signer,
        verb=f"phase.{request.kind}_approved",
        subject=request,
        summary=f"{request} approved: now {Phase(request.to_phase).label}",
    )


def _revoke_certificates(request: ProgressionRequest, actor: User) -> None:
    independence = ProgressionRequest.objects.filter(
        agreement=request.agreement, kind=ProgressionRequest.Kind.INDEPENDENCE, status="approved"
    )
    for granted in independence:
        certificate = document_latest_for_subject(CERTIFICATE_KIND, granted)
        if certificate is not None and certificate.revoked_at is None:
            document_revoke(
                document=certificate,
                actor=actor,
                reason=f"Returned to {Phase(request.to_phase).label}",
            )
    version = (
        AgreementVersion.objects.select_for_update()
        .filter(agreement=request.agreement, status="completed")
        .first()
    )
    if version is not None:
        # Back in training: the agreement is in force again for the evidence still to come.
        version.reopen()
        version.closed_at = None
        version.save()


def on_progression_declined(signoff: SignoffRequest, signature: Signature) -> None:
    request = ProgressionRequest.objects.select_for_update().get(pk=signoff.subject_id)
    request.status = ProgressionRequest.Status.DECLINED
    request.decided_at = timezone.now()
    request.outcome_reason = f"Declined by {signature.signer_name} ({signature.signed_as})."
    request.save()


def on_progression_void(signoff: SignoffRequest) -> None:
    request = ProgressionRequest.objects.select_for_update().get(pk=signoff.subject_id)
    request.status = ProgressionRequest.Status.VOID
    request.outcome_reason = signoff.outcome_reason
    request.save()


def may_view_progression(user: User, request: ProgressionRequest) -> bool:
    """Those who may see the agreement, and anyone a step of the request is open to (a second INR
    of the centre may be asked to concur without being named on the agreement)."""
    if user.has_perm("agreements.see_agreement", request.agreement):
        return True
    signoff = SignoffRequest.objects.filter(
        kind=SIGNOFF_KIND, subject_id=request.pk, status=SignoffRequest.Status.OPEN
    ).first()
    return signoff is not None and any(
        user_is_eligible_for_step(user, step) for step in signoff.steps.filter(status="pending")
    )
