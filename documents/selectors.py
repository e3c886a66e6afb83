"""Reads. The only place that decides who may see or download a document."""

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.http import Http404

from .codes import verification_code_normalise
from .credential_check import StatusSource
from .models import GeneratedDocument
from .registry import document_kind
from .sealing import SealCheck, pdf_seal_check


def document_latest_for_subject(kind: str, subject: Model) -> GeneratedDocument | None:
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


def document_user_may_download(user: Any, document: GeneratedDocument) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        kind = document_kind(document.kind)
    except LookupError:
        return False
    subject = document.subject
    return subject is not None and bool(kind.may_download(user, subject))


def document_get_for_user(*, user: Any, pk: int) -> GeneratedDocument:
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


@dataclass(frozen=True)
class UploadCheck:
    matches: bool  # byte for byte the issued file (its SHA-256)
    seal: SealCheck  # the file's own seal, checked against the configured trust roots


def document_check_upload(document: GeneratedDocument, upload: UploadedFile) -> UploadCheck:
    """Whether an uploaded copy is the issued file, and what its seal says on its own."""
    content = b"".join(upload.chunks())
    digest = hashlib.sha256(content).hexdigest()
    return UploadCheck(
        matches=hmac.compare_digest(digest, document.sha256),
        seal=pdf_seal_check(content),
    )


def credential_status_from_site(url: str) -> StatusSource | None:
    """The status list a credential names, when it is one this site serves: signed afresh from the
    database. None for a list elsewhere (the page checks only what this site issued)."""
    from django.urls import Resolver404, resolve

    from accounts.models import Organisation

    from .credential_status import site_url, status_list_token

    base = site_url("/")
    if not url.startswith(base):
        return None
    try:
        match = resolve("/" + url[len(base) :])
    except Resolver404:
        return None
    if match.view_name != "documents:credential_status_list":
        return None
    issuer = Organisation.objects.filter(pk=match.kwargs["issuer_id"]).first()
    if issuer is None:
        return None
    return StatusSource(
        token=status_list_token(issuer), description="this site's status list, read just now"
    )
