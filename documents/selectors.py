"""Reads. The only place that decides who may see or download a document."""

import hashlib
import hmac

from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from .codes import verification_code_normalise
from .models import GeneratedDocument
from .registry import document_kind


def document_latest_for_subject(kind: str, subject) -> GeneratedDocument | None:
    """The newest document of this kind about this subject, whatever its status."""
    return (
        GeneratedDocument.objects.filter(
            kind=kind,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def document_user_may_download(user, document: GeneratedDocument) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        kind = document_kind(document.kind)
    except LookupError:
        return False
    subject = document.subject
    return subject is not None and bool(kind.may_download(user, subject))


def document_get_for_user(*, user, pk: int) -> GeneratedDocument:
    """The document, if the kind lets this user have it; otherwise 404, as if it did not exist."""
    document = GeneratedDocument.objects.filter(pk=pk).first()
    if document is None or not document_user_may_download(user, document):
        raise Http404("No such document.")
    return document


def document_issued_by_code(code: str) -> GeneratedDocument | None:
    """The issued document with this verification code, for the public page; None if none."""
    code = verification_code_normalise(code)
    if not code:
        return None
    return (
        GeneratedDocument.objects.filter(
            verification_code=code, status=GeneratedDocument.Status.READY
        )
        .select_related("superseded_by")
        .first()
    )


def document_matches_upload(document: GeneratedDocument, upload) -> bool:
    """Whether an uploaded file is, byte for byte, the issued document (by its SHA-256)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return hmac.compare_digest(digest.hexdigest(), document.sha256)
