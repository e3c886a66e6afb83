"""Asking for documents, producing them, and superseding or revoking them."""

import hashlib
import logging
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import User
from audit.services import audit_event_record
from privacy.commitments import text_commitment

from .codes import verification_code_new
from .credentials import credential_revoke_for_document
from .models import GeneratedDocument
from .pdf import pdf_render
from .registry import document_kind
from .sealing import pdf_seal, seal_key_load
from .storage import private_storage

logger = logging.getLogger(__name__)

Status = GeneratedDocument.Status
# A worker that dies mid-render is redelivered (acks_late); past this many starts the sweeper stops
# re-queueing the document and marks it failed, so one poisonous document cannot loop forever.
RENDER_ATTEMPTS_LIMIT = 6
# Older than any sweeper threshold: a document whose task could not be queued is swept next time.
SWEEP_AT_ONCE = timedelta(days=1)


class DocumentStateError(ValueError):
    """The document is not in a state that allows this change."""


def _queue_render(document: GeneratedDocument) -> None:
    document_id = document.pk
    transaction.on_commit(lambda: _send_render(document_id))


def _send_render(document_id: int) -> None:
    """Hand the render to the broker. If the broker is down, the person's request must still
    succeed: the row is committed and pending, so it is left for the sweeper, dated far enough
    back that the next sweep after the broker returns picks it up."""
    from .tasks import document_render_task

    try:
        document_render_task.delay(document_id)
    except (KombuOperationalError, OSError) as error:
        logger.error("Could not queue document %s (%s); the sweeper will", document_id, error)
        GeneratedDocument.objects.filter(pk=document_id, status=Status.PENDING).update(
            queued_at=timezone.now() - SWEEP_AT_ONCE
        )


def document_request(
    *, kind: str, subject: Model, content_digest: str, actor: "User | None" = None
) -> GeneratedDocument:
    """The document of this kind for this subject and content: made (and queued) the first time.

    Asking again for the same content returns the same row, also when two requests race: the
    UniqueConstraint lets only one insert win and the other reads the winner. Only the request that
    made the row queues the render (a lost task message is the sweeper's job); asking again for a
    document that failed resets it and tries again.
    """
    registered = document_kind(kind)
    subject_type = ContentType.objects.get_for_model(subject)
    lookup = dict(
        kind=kind, subject_type=subject_type, subject_id=subject.pk, content_digest=content_digest
    )
    with transaction.atomic():
        for _ in range(3):
            try:
                document, created = GeneratedDocument.objects.get_or_create(
                    **lookup,
                    defaults={
                        "template_version": registered.template_version,
                        "verification_code": verification_code_new(),
                        "queued_at": timezone.now(),
                    },
                )
                break
            except IntegrityError:
                # Only a verification-code collision gets here (get_or_create settles races on the
                # lookup itself): draw another code.
                continue
        else:
            raise IntegrityError("Could not draw an unused verification code.")
        if not created:
            if document.status == Status.FAILED:
                return document_requeue(document_id=document.pk, actor=actor)
            return document
        audit_event_record(
            actor=actor,
            verb="document.requested",
            subject=document,
            summary=f"{registered.label} requested for {registered.person_name(subject)}",
            data={
                "kind": kind,
                "content_digest": content_digest,
                "template_version": registered.template_version,
            },
        )
        _queue_render(document)
    return document


def _storage_name(document: GeneratedDocument) -> str:
    return f"documents/{document.pk}.pdf"


def _write_atomically(name: str, content: bytes) -> None:
    """Write through a temporary file in the same folder, then rename over the final name.

    A re-run replaces the file rather than adding a second one, and a crash leaves either the old
    file or the new one, never half a file or a stray temporary file.
    """
    final = Path(private_storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=final.parent, prefix=f".{final.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    # A worker killed between mkstemp and the rename (SIGKILL, OOM) could not clean up after
    # itself. The caller holds the document's row lock, so any other temporary file of this
    # document is such a leftover, never a write in progress.
    for leftover in final.parent.glob(f".{final.name}.*.part"):
        leftover.unlink(missing_ok=True)


def document_render(*, document_id: int) -> GeneratedDocument:
    """Produce the PDF of one document. Safe to run twice, or in two workers at once."""
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if document.status == Status.READY:
            return document
        # Counted in its own transaction so a failed render still counts.
        document.attempts += 1
        document.save(update_fields=["attempts"])

    registered = document_kind(document.kind)
    subject = document.subject
    if subject is None:
        raise DocumentStateError(f"The subject of document {document.pk} no longer exists.")
    # The key first: a missing or unreadable key fails the render before any work, and its
    # certificate names the organisation the visible seal block prints.
    issuer = registered.issuer(subject) if registered.issuer else None
    seal_key = seal_key_load(getattr(issuer, "pk", None))
    document.seal_organisation = seal_key.organisation  # type: ignore[attr-defined]  # for the print template
    # Set before rendering so the print template can show the issue time it will be stored with.
    document.issued_at = timezone.now()
    bare, placement = pdf_render(registered.render_html(subject, document))
    # Sealing failures raise (SealError): the task retries, and never issues an unsealed file.
    sealed = pdf_seal(bare, key=seal_key, placement=placement)
    content = sealed.content
    person_name = registered.person_name(subject)

    with transaction.atomic():
        locked = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if locked.status == Status.READY:
            # Another worker finished first; its file and hash stand.
            return locked
        name = _storage_name(locked)
        _write_atomically(name, content)
        locked.file.name = name
        locked.sha256 = hashlib.sha256(content).hexdigest()
        locked.size = len(content)
        locked.issued_at = document.issued_at
        locked.title = (registered.title(subject) if registered.title else registered.label)[:200]
        locked.person_name = person_name[:200]
        locked.status = Status.READY
        locked.last_error = ""
        locked.save()
        audit_event_record(
            actor=None,
            verb="document.issued",
            subject=locked,
            summary=f"{registered.label} issued for {person_name} ({locked.verification_code})",
            data={
                "sha256": locked.sha256,
                "size": locked.size,
                "attempts": locked.attempts,
                "template_version": locked.template_version,
                "seal": {
                    "certificate": seal_key.subject,
                    "timestamp": sealed.timestamp.isoformat(),
                },
            },
        )
    return locked


def document_render_rescheduled(*, document_id: int, due_at: datetime) -> None:
    """The render task will retry at due_at: keep the sweeper off the document until then."""
    GeneratedDocument.objects.filter(pk=document_id, status=Status.PENDING).update(queued_at=due_at)


def document_mark_failed(*, document_id: int, error: str) -> GeneratedDocument:
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if document.status == Status.READY:
            return document
        document.status = Status.FAILED
        document.last_error = error[:4000]
        document.save(update_fields=["status", "last_error"])
        audit_event_record(
            actor=None,
            verb="document.failed",
            subject=document,
            summary=f"Document {document.verification_code} could not be produced "
            f"after {document.attempts} attempt(s)",
            data={"error": error[:500], "attempts": document.attempts},
        )
    return document


def document_requeue(*, document_id: int, actor: "User | None" = None) -> GeneratedDocument:
    """Try a failed document again from the start (admin action, or asked for again)."""
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if document.status != Status.FAILED:
            raise DocumentStateError("Only a document that failed can be queued again.")
        document.status = Status.PENDING
        document.attempts = 0
        document.queued_at = timezone.now()
        document.save(update_fields=["status", "attempts", "queued_at"])
        audit_event_record(
            actor=actor,
            verb="document.requeued",
            subject=document,
            summary=f"Document {document.verification_code} queued again after it failed",
            data={"previous_error": document.last_error[:500]},
        )
        _queue_render(document)
    return document


def document_sweep_stale(*, older_than: timedelta) -> int:
    """Queue again documents still pending long after they were queued (a lost task message).

    Each one's queued_at moves to now, so sweeping twice in a row queues it once. Returns how many
    were queued.
    """
    cutoff = timezone.now() - older_than
    queued = 0
    with transaction.atomic():
        stale = list(
            GeneratedDocument.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, queued_at__lt=cutoff)
            .order_by("queued_at")
        )
        for document in stale:
            if document.attempts >= RENDER_ATTEMPTS_LIMIT:
                document_mark_failed(
                    document_id=document.pk,
                    error=f"Gave up after {document.attempts} attempts that did not finish "
                    "(the worker may have been stopped while rendering).",
                )
                continue
            document.queued_at = timezone.now()
            document.save(update_fields=["queued_at"])
            _queue_render(document)
            queued += 1
    if queued:
        logger.info("Queued %s stale pending document(s) again", queued)
    return queued


def document_supersede(
    *, document: GeneratedDocument, superseded_by: GeneratedDocument, actor: "User | None"
) -> GeneratedDocument:
    """Record that a newer document replaces this one (an amended agreement, a reissue)."""
    if superseded_by.pk == document.pk:
        raise DocumentStateError("A document cannot supersede itself.")
    with transaction.atomic():
        locked = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
        if locked.revoked_at:
            raise DocumentStateError("A revoked document cannot be superseded.")
        if locked.superseded_by_id:
            if locked.superseded_by_id == superseded_by.pk:
                return locked
            raise DocumentStateError("This document has already been superseded by another one.")
        locked.superseded_by = superseded_by
        locked.superseded_at = timezone.now()
        locked.save(update_fields=["superseded_by", "superseded_at"])
        audit_event_record(
            actor=actor,
            verb="document.superseded",
            subject=locked,
            summary=f"Document {locked.verification_code} superseded by "
            f"{superseded_by.verification_code}",
            data={"superseded_by": superseded_by.pk},
        )
    return locked


def document_revoke(
    *, document: GeneratedDocument, reason: str, actor: "User | None"
) -> GeneratedDocument:
    """Withdraw a document. The reason is kept for the record, never shown on the public page."""
    reason = (reason or "").strip()
    if not reason:
        raise DocumentStateError("Give the reason the document is revoked.")
    with transaction.atomic():
        locked = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
        if locked.revoked_at:
            raise DocumentStateError("This document is already revoked.")
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason
        locked.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
        # Its verifiable credential, if one was issued, is revoked with it: a status list bit set.
        credential_revoke_for_document(document=locked, actor=actor)
        audit_event_record(
            actor=actor,
            verb="document.revoked",
            subject=locked,
            summary=f"Document {locked.verification_code} revoked",
            # The reason stays on the document's row; the log commits to it.
            data={"changed": {"revoked_reason": text_commitment(reason)}},
        )
    return locked
