"""The completion certificate as a verifiable credential: Open Badges 3.0 on the W3C Verifiable
Credentials 2.0 data model, secured as a JWT (VC-JOSE-COSE: the payload is the credential itself,
``typ: vc+jwt``), signed ES256 or EdDSA with the key from configuration (credential_keys).

This app knows how a credential is built, signed, listed and revoked; the app that owns the
document (phases, for the certificate) says what it claims, through its DocumentKind's
``credential`` callback, so this module never imports a higher app. A credential is issued the
first time the person downloads it, and revoked with its document (``document_revoke``): its bit in
the issuer's status list is set. Both are audit events.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jwt

from accounts.models import Organisation
from audit.services import audit_event_record

from .credential_keys import CredentialKey, credential_signing_key
from .credential_status import (
    JWT_TYPE,
    STATUS_PURPOSE,
    VC_CONTEXT,
    issuer_profile,
    status_index_draw,
    status_list_url,
)
from .models import GeneratedDocument, IssuedCredential
from .registry import document_kind

OPEN_BADGES_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
# Random bits can collide; past this many draws the list is too full to hide anyone in.
INDEX_DRAWS = 20
WITHDRAWN = "This certificate is no longer valid, so it has no credential."


class CredentialError(ValueError):
    """This document has no credential to give: not ready, withdrawn, or of a kind without one."""


@dataclass(frozen=True)
class CredentialContent:
    """What the owning app says the credential claims. No patient data, ever."""

    issuer: Organisation
    name: str  # the credential's own name
    subject_name: str
    subject_gmc_number: str
    achievement: dict  # an Open Badges Achievement: id, name, description, criteria, ...
    evidence: list[dict] = field(default_factory=list)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def credential_claims(
    content: CredentialContent, *, credential_id: uuid.UUID, status_index: int, issued_at: datetime
) -> dict:
    """The credential, as the JWT's payload."""
    profile = issuer_profile(content.issuer)
    list_url = status_list_url(content.issuer.pk)
    return {
        "@context": [VC_CONTEXT, OPEN_BADGES_CONTEXT],
        "id": f"urn:uuid:{credential_id}",
        "type": CREDENTIAL_TYPES,
        "name": content.name,
        "issuer": profile,
        "validFrom": _utc(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # Name and GMC number, nothing more: no e-mail, no date of birth, no patient data.
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": content.subject_name,
                }
            ],
            "licenseNumber": f"GMC {content.subject_gmc_number}",
            "achievement": {"type": ["Achievement"], **content.achievement},
        },
        "evidence": [{"type": ["Evidence"], **item} for item in content.evidence],
        "credentialStatus": {
            "id": f"{list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": STATUS_PURPOSE,
            "statusListIndex": str(status_index),
            "statusListCredential": list_url,
        },
        # Registered JWT claims that agree with the credential, for verifiers that read them.
        "iss": profile["id"],
        "jti": f"urn:uuid:{credential_id}",
        "iat": int(issued_at.timestamp()),
        "nbf": int(issued_at.timestamp()),
    }


def credential_sign(claims: dict, key: CredentialKey | None = None) -> tuple[str, str]:
    """(the compact JWT, the key id that signed it)."""
    key = key or credential_signing_key()
    # The public key rides along (as in Open Badges 3.0's JWT examples) for wallets that read it;
    # our own check never trusts it, only the keys this site lists (credential_check).
    header = {
        "alg": key.algorithm,
        "kid": key.kid,
        "typ": JWT_TYPE,
        "cty": "vc",
        "jwk": key.public_jwk(),
    }
    return jwt.encode(header, claims, key.jwk, algorithms=[key.algorithm]), key.kid


def _content_for(document: GeneratedDocument) -> CredentialContent:
    kind = document_kind(document.kind)
    if kind.credential is None:
        raise CredentialError("This kind of document has no verifiable credential.")
    subject = document.subject
    if subject is None:
        raise CredentialError("What this document is about no longer exists.")
    return kind.credential(subject, document)


def credential_for_document(*, document: GeneratedDocument, actor: Any) -> IssuedCredential:
    """The document's credential: issued (signed, given a status bit, audited) the first time.

    Refused for a document that is not issued or has been withdrawn: a revoked certificate never
    gets a fresh credential. A missing signing key raises CredentialKeyError before anything is
    written.
    """
    existing = IssuedCredential.objects.filter(document=document).first()
    if existing is not None:
        if existing.revoked_at:
            raise CredentialError(WITHDRAWN)
        return existing
    key = credential_signing_key()
    with transaction.atomic():
        locked = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
        existing = IssuedCredential.objects.filter(document=locked).first()
        if existing is not None:
            return existing
        if locked.status != GeneratedDocument.Status.READY:
            raise CredentialError("The certificate is not issued yet.")
        if locked.revoked_at or locked.superseded_at:
            raise CredentialError(WITHDRAWN)
        content = _content_for(locked)
        credential = _credential_create(locked, content, key)
        audit_event_record(
            actor=actor,
            verb="credential.issued",
            subject=credential,
            summary=f"Verifiable credential issued for {content.subject_name} "
            f"({locked.verification_code}), issuer {content.issuer.name}",
            data={
                "document": locked.verification_code,
                "credential_id": str(credential.credential_id),
                "issuer": content.issuer.pk,
                "status_index": credential.status_index,
                "key_id": credential.key_id,
            },
        )
    return credential


def _credential_create(
    document: GeneratedDocument, content: CredentialContent, key: CredentialKey
) -> IssuedCredential:
    credential_id = uuid.uuid4()
    issued_at = timezone.now().replace(microsecond=0)
    for _ in range(INDEX_DRAWS):
        index = status_index_draw()
        token, kid = credential_sign(
            credential_claims(
                content, credential_id=credential_id, status_index=index, issued_at=issued_at
            ),
            key,
        )
        try:
            with transaction.atomic():
                return IssuedCredential.objects.create(
                    document=document,
                    credential_id=credential_id,
                    issuer=content.issuer,
                    status_index=index,
                    key_id=kid,
                    token=token,
                    issued_at=issued_at,
                )
        except IntegrityError:
            if not IssuedCredential.objects.filter(
                issuer=content.issuer, status_index=index
            ).exists():
                raise
    raise IntegrityError("Could not draw a free status list bit for the credential.")


def credential_revoke_for_document(*, document: GeneratedDocument, actor: Any) -> None:
    """Set the status bit of the document's credential, if one was issued. Called by
    document_revoke, inside its transaction."""
    credential = (
        IssuedCredential.objects.select_for_update()
        .filter(document=document, revoked_at__isnull=True)
        .first()
    )
    if credential is None:
        return
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])
    audit_event_record(
        actor=actor,
        verb="credential.revoked",
        subject=credential,
        summary=f"Verifiable credential for {document.verification_code} revoked: its bit in "
        f"the status list is set",
        data={
            "document": document.verification_code,
            "credential_id": str(credential.credential_id),
            "issuer": credential.issuer_id,
            "status_index": credential.status_index,
        },
    )
