"""Opening sign-off requests and signing their steps."""

import logging
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import Directorate, Organisation, User
from audit.services import audit_event_record

from .eligibility import step_refusal_reason
from .models import GENESIS_HASH, Signature, SignoffRequest, SignoffStep, content_digest
from .registry import SignoffHandler, handler_for
from .tasks import signoff_notify_task

logger = logging.getLogger(__name__)

DECLINE_MEANING = "I decline to sign, for the reason I give."


@dataclass(frozen=True)
class StepSpec:
    label: str
    meaning: str
    named_user: User | None = None
    role: str = ""
    organisation: Organisation | None = None
    directorate: Directorate | None = None
    is_acknowledgement: bool = False


class SignoffRefused(Exception):
    """Signing was refused. ``field`` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def signoff_request_open(
    *,
    kind: str,
    subject: Model,
    title: str,
    steps: list[StepSpec],
    created_by: User,
    about_user: User | None = None,
    ordered: bool = False,
) -> SignoffRequest:
    """Freeze the subject's content by its digest and open the steps for signature."""
    if not steps:
        raise ValueError("A sign-off request needs at least one step.")
    content = handler_for(kind).content(subject)
    with transaction.atomic():
        request = SignoffRequest.objects.create(
            kind=kind,
            title=title,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
            about_user=about_user,
            digest=content_digest(content),
            content=content,
            ordered=ordered,
            created_by=created_by,
        )
        SignoffStep.objects.bulk_create(
            SignoffStep(
                request=request,
                position=position,
                label=spec.label,
                meaning=spec.meaning,
                named_user=spec.named_user,
                role=spec.role,
                organisation=spec.organisation,
                directorate=spec.directorate,
                is_acknowledgement=spec.is_acknowledgement,
            )
            for position, spec in enumerate(steps, start=1)
        )
        audit_event_record(
            actor=created_by,
            verb="signoff.opened",
            subject=request,
            summary=f"Sign-off opened: {title} ({len(steps)} steps)",
            data={"digest": request.digest, "kind": kind},
        )
        _queue_notifications(request)
    return request


def _queue_notifications(request: SignoffRequest) -> None:
    request_id = request.pk
    transaction.on_commit(lambda: _send_notifications(request_id))


def _send_notifications(request_id: int) -> None:
    """Queue the e-mail after commit. The signature is already saved, so a broker outage must not
    turn the signer's request into an error: the failure is logged, and the sign-off sweep
    (``signoffs.notify_sweep``, beat) sends the e-mail once the broker is back."""
    try:
        # No result is stored: the result store would make queuing hang while Redis is down.
        signoff_notify_task.apply_async((request_id,), ignore_result=True)
    except (KombuOperationalError, OSError) as error:
        logger.error(
            "Could not queue the e-mail for sign-off %s (the sweep will send it): %s",
            request_id,
            error,
        )


def _second_factor_method(user: User, code: str) -> str:
    """Check a fresh second-factor code; return how the signer authenticated, or refuse."""
    code = "".join((code or "").split()).lower()
    if not code:
        raise SignoffRefused("Enter the code from your authenticator app to sign.", field="code")
    with transaction.atomic():
        device = match_token(user, code)
    if device is None:
        raise SignoffRefused(
            "That code is not right, or it has already been used. Enter the newest code from "
            "your authenticator app.",
            field="code",
        )
    if isinstance(device, StaticDevice):
        return "password and single-use backup code"
    return "password and authenticator app code (TOTP)"


def signoff_sign(
    *,
    step: SignoffStep,
    signer: User,
    decision: str,
    code: str,
    reason: str = "",
) -> Signature:
    """Sign one step. Exactly one signature per step, however many people try at once."""
    if decision not in Signature.Decision.values:
        raise SignoffRefused("Choose whether you approve or decline.", field="decision")
    reason = reason.strip()
    if decision == Signature.Decision.DECLINE and not reason:
        raise SignoffRefused(
            "Give the reason you decline: it is sent back to the author.", field="reason"
        )
    authentication = _second_factor_method(signer, code)

    voided = False
    with transaction.atomic():
        # Lock the request: everyone signing it queues here, so the checks below see the truth.
        request = SignoffRequest.objects.select_for_update().get(pk=step.request_id)
        step = SignoffStep.objects.select_related("request").get(pk=step.pk)
        signed_steps = list(
            request.steps.exclude(status=SignoffStep.Status.PENDING).select_related("signature")
        )
        refusal = step_refusal_reason(signer, step, signed_steps)
        if refusal:
            raise SignoffRefused(refusal)
        handler = handler_for(request.kind)
        current_digest = content_digest(handler.content(request.subject))
        if current_digest != request.digest:
            _void(request, signer)
            handler.on_void(request)
            voided = True
        else:
            signature = _write_signature(request, step, signer, decision, reason, authentication)
            _settle(request, step, signature, handler, signer)
    if voided:
        raise SignoffRefused(
            "The content changed after this request was made, so the request is now void. "
            "It must be submitted again."
        )
    return signature


def _write_signature(
    request: SignoffRequest,
    step: SignoffStep,
    signer: User,
    decision: str,
    reason: str,
    authentication: str,
) -> Signature:
    previous = request.signatures.order_by("-sequence").first()
    signature = Signature(
        step=step,
        request=request,
        sequence=(previous.sequence + 1) if previous else 1,
        signer=signer,
        signer_name=signer.full_name,
        signer_gmc_number=signer.gmc_number,
        signed_as=step.label,
        decision=decision,
        reason=reason,
        # The reason stays in its own field: the meaning is the app's words, never the signer's.
        meaning=step.meaning if decision == Signature.Decision.APPROVE else DECLINE_MEANING,
        signed_at=timezone.now(),
        authentication=authentication,
        digest_seen=request.digest,
        previous_hash=previous.hash if previous else GENESIS_HASH,
    )
    signature.hash = signature.compute_hash()
    signature.save()
    return signature


def _settle(
    request: SignoffRequest,
    step: SignoffStep,
    signature: Signature,
    handler: SignoffHandler,
    signer: User,
) -> None:
    declined = signature.decision == Signature.Decision.DECLINE
    step.status = SignoffStep.Status.DECLINED if declined else SignoffStep.Status.SIGNED
    step.save(update_fields=["status"])
    audit_event_record(
        actor=signer,
        verb="signoff.declined" if declined else "signoff.signed",
        subject=request,
        summary=f"{signer} {'declined' if declined else 'signed'} as {step.label}: {request.title}",
        data={"step": step.position, "signature_hash": signature.hash},
    )
    if declined:
        request.status = SignoffRequest.Status.DECLINED
        request.outcome_reason = f"Declined by {signature.signer_name} as {signature.signed_as}."
    elif not request.steps.filter(status=SignoffStep.Status.PENDING).exists():
        request.status = SignoffRequest.Status.APPROVED
    if request.status == SignoffRequest.Status.OPEN:
        request.save(update_fields=["status"])
        if request.ordered:
            _queue_notifications(request)
        return
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at", "outcome_reason"])
    audit_event_record(
        actor=signer,
        verb=f"signoff.{request.status}",
        subject=request,
        summary=f"Sign-off {request.get_status_display().lower()}: {request.title}",
    )
    if declined:
        handler.on_declined(request, signature)
    else:
        handler.on_approved(request, signer)
    _queue_notifications(request)


def _void(request: SignoffRequest, actor: User | None) -> None:
    request.status = SignoffRequest.Status.VOID
    request.closed_at = timezone.now()
    request.outcome_reason = (
        "The subject's content no longer matches what was submitted for signature."
    )
    request.save(update_fields=["status", "closed_at", "outcome_reason"])
    audit_event_record(
        actor=actor,
        verb="signoff.void",
        subject=request,
        summary=f"Sign-off void, content changed: {request.title}",
    )
