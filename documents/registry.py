"""How a higher app plugs its kinds of document in without this app importing it.

The app that owns a document (agreements, phases, governance) registers a ``DocumentKind`` in its
AppConfig.ready. This app asks the kind for the HTML to print, the name of the person the document
is for, whether a user may download it, and (optionally) which organisation issues it and what the
verifiable credential issued alongside it says.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: str
    # render_html(subject, document) -> HTML. The document carries the verification code (see
    # documents.pdf.verification_footer_context) and its issue time, for the print template.
    render_html: Callable[[Any, Any], str]
    person_name: Callable[[Any], str]
    may_download: Callable[[Any, Any], bool]
    template_version: str
    # The document's title on /verify (e.g. "Training agreement TA-2026-0001, version 2");
    # the kind's label when not given.
    title: Callable[[Any], str] | None = None
    # issuer(subject) -> the Organisation that issues the document, whose own seal key
    # (DOCUMENT_SEAL_PKCS12_DIR/<id>.p12) seals it when there is one; the programme's seal
    # otherwise, and whenever issuer is not given or gives None.
    issuer: Callable[[Any], Any] | None = None
    # credential(subject, document) -> documents.credentials.CredentialContent: what the verifiable
    # credential issued alongside the document says (documents/credentials.py); None for a kind
    # that has no credential.
    credential: Callable[[Any, Any], Any] | None = None


_kinds: dict[str, DocumentKind] = {}


def register_document_kind(kind: DocumentKind) -> None:
    _kinds[kind.key] = kind


def document_kind(key: str) -> DocumentKind:
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"No document kind is registered as {key!r}.") from None


def unregister_document_kind(key: str) -> None:
    """For tests that register a kind of their own."""
    _kinds.pop(key, None)
