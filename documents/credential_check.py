"""Checking a credential: its signature, its issuer and its status, in plain words.

Used by the public "check a credential" page and ``manage.py verify_credential``. The page reads
the status from the issuer's list as this site serves it now; the command fetches the list, or uses
a cached copy offline and says how old it is (``StatusSource``).
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from joserfc import jwt
from joserfc.errors import JoseError

from .credential_keys import CredentialKey, credential_verification_keys, key_set
from .credential_status import STATUS_PURPOSE, StatusListError, bitstring_bit, site_url

ALGORITHMS = ["ES256", "EdDSA"]
ISSUERS_PATH = "/credentials/issuers/"


class CredentialShapeError(ValueError):
    """The text is not a JWT at all (the message says why, for the form field)."""


@dataclass(frozen=True)
class StatusSource:
    """A status list JWT and where it came from, for the words about its age."""

    token: str
    description: str  # "this site's current list", "the list cached at ..."
    fetched_at: datetime | None = None  # when a cached copy was fetched; None for a fresh one


# (status list URL) -> StatusSource, or None when no list can be had; raise to report a problem.
StatusResolver = Callable[[str], StatusSource | None]


def jwt_parts(text: str) -> tuple[dict, dict]:
    """(header, payload) of a compact JWT, unverified; CredentialShapeError if it is not one."""
    text = (text or "").strip()
    if not text:
        raise CredentialShapeError("The credential is empty.")
    parts = text.split(".")
    if len(parts) != 3 or not all(parts):
        raise CredentialShapeError(
            "This is not a credential: a credential is a JWT, three parts separated by dots "
            "(the .jwt file downloaded from the certificate page)."
        )
    try:
        decoded = [
            json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
            for part in parts[:2]
        ]
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise CredentialShapeError(
            "This is not a credential: its parts are not readable JWT (base64url JSON)."
        ) from None
    if not all(isinstance(part, dict) for part in decoded):
        raise CredentialShapeError("This is not a credential: its parts are not JSON objects.")
    return decoded[0], decoded[1]


@dataclass
class CredentialCheck:
    signature_ok: bool = False
    key_id: str = ""
    key_known: bool = False
    key_demo: bool = False
    key_retired: bool = False
    is_credential: bool = False
    issuer_id: str = ""
    issuer_name: str = ""
    issuer_ours: bool = False
    subject_name: str = ""
    subject_licence: str = ""
    achievement: str = ""
    valid_from: str = ""
    status: str = "unknown"  # "active", "revoked" or "unknown"
    status_words: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.signature_ok
            and self.is_credential
            and self.issuer_ours
            and self.status == "active"
        )

    def findings(self) -> list[tuple[bool, str]]:
        found: list[tuple[bool, str]] = []
        if not self.key_known:
            found.append(
                (
                    False,
                    "It is signed with a key this site does not list "
                    f"({self.key_id or 'no key id'}), so its signature cannot be checked.",
                )
            )
        elif self.signature_ok:
            when = " (a key retired since, still listed)" if self.key_retired else ""
            # Like a seal from the demo PKI: valid against this site's configured key, and the
            # key's own name says it is a demo one (never configured in production).
            demo = (
                " It is a demo key (demo: not trusted outside development)."
                if self.key_demo
                else ""
            )
            found.append(
                (
                    True,
                    "The signature is valid: nothing in the credential has changed since it was "
                    f"signed, with key {self.key_id}{when}.{demo}",
                )
            )
        else:
            found.append(
                (
                    False,
                    "The signature is NOT valid: the credential has been changed since it was "
                    "signed, or it was not signed by this site's key.",
                )
            )
        # What an unsigned (or wrongly signed) credential says is only a claim: never in green.
        if not self.signature_ok:
            if self.issuer_name or self.subject_name:
                found.append(
                    (
                        False,
                        f"Unverified, it claims to be issued by {self.issuer_name or 'nobody'} "
                        f"to {self.subject_name or 'nobody'} ({self.subject_licence or 'no GMC'}).",
                    )
                )
            found.append((False, self.status_words))
            return found
        if self.issuer_ours:
            found.append((True, f"Issued by {self.issuer_name}, through this training record."))
        elif self.issuer_id:
            found.append((False, f"The issuer ({self.issuer_id}) is not one this site lists."))
        else:
            found.append((False, "It names no issuer."))
        if self.is_credential:
            found.append(
                (
                    True,
                    f"It says that {self.subject_name} ({self.subject_licence}) achieved "
                    f"“{self.achievement}”, from {self.valid_from}.",
                )
            )
        else:
            found.append((False, "It is not an Open Badges credential this site issues."))
        found.append((self.status == "active", self.status_words))
        return found

    def sentences(self) -> list[str]:
        return [sentence for _good, sentence in self.findings()]


def _verified_claims(token: str, keys: list[CredentialKey], check: CredentialCheck) -> dict | None:
    """The claims if the signature holds under one of keys; None otherwise (check says why)."""
    header, _payload = jwt_parts(token)
    check.key_id = str(header.get("kid", ""))
    key = next((k for k in keys if k.kid == check.key_id), None)
    if key is None:
        return None
    check.key_known, check.key_demo = True, key.demo
    check.key_retired = key.retired
    if header.get("alg") != key.algorithm:
        check.problems.append(f"alg {header.get('alg')!r} does not match the key")
        return None
    try:
        claims = jwt.decode(token, key_set([key]), algorithms=ALGORITHMS).claims
    except (JoseError, ValueError) as error:
        check.problems.append(f"{type(error).__name__}: {error}")
        return None
    check.signature_ok = True
    return claims


def _read_claims(claims: dict, check: CredentialCheck) -> None:
    issuer = claims.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {}
    check.issuer_id = str(issuer.get("id", ""))
    check.issuer_name = str(issuer.get("name", ""))
    check.issuer_ours = (
        check.issuer_id.startswith(site_url(ISSUERS_PATH)) and claims.get("iss") == check.issuer_id
    )
    subject = claims.get("credentialSubject")
    types = claims.get("type") or []
    if not isinstance(subject, dict) or "OpenBadgeCredential" not in types:
        return
    names = [
        item.get("identityHash", "")
        for item in subject.get("identifier") or []
        if isinstance(item, dict) and item.get("identityType") == "name"
    ]
    achievement = subject.get("achievement") or {}
    check.subject_name = str(names[0]) if names else ""
    check.subject_licence = str(subject.get("licenseNumber", ""))
    check.achievement = str(achievement.get("name", "")) if isinstance(achievement, dict) else ""
    valid_from = str(claims.get("validFrom", ""))
    try:
        # Dated as every page of the app dates ("4 Dec 2026").
        check.valid_from = f"{datetime.fromisoformat(valid_from):%-d %b %Y}"
    except ValueError:
        check.valid_from = valid_from[:10]
    check.is_credential = bool(check.subject_name and check.achievement)


def _age_words(moment: datetime) -> str:
    seconds = max(0, int((datetime.now(UTC) - moment).total_seconds()))
    if seconds < 120:
        return "under two minutes old"
    if seconds < 2 * 3600:
        return f"{seconds // 60} minutes old"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} hours old"
    return f"{seconds // 86400} days old"


def _read_status(
    claims: dict, keys: list[CredentialKey], resolve: StatusResolver, check: CredentialCheck
) -> None:
    status = claims.get("credentialStatus")
    if not isinstance(status, dict) or status.get("type") != "BitstringStatusListEntry":
        check.status_words = "It carries no status entry, so whether it was revoked is unknown."
        return
    url = str(status.get("statusListCredential", ""))
    try:
        index = int(str(status.get("statusListIndex")))
        source = resolve(url)
    except (TypeError, ValueError, OSError) as error:
        check.status_words = f"Its status could not be checked: {error}."
        return
    if source is None:
        check.status_words = (
            f"Its status could not be checked: the status list at {url} could not be had."
        )
        return
    list_check = CredentialCheck()
    list_claims = _verified_claims(source.token, keys, list_check)
    list_claims = list_claims or {}
    subject = list_claims.get("credentialSubject") or {}
    if (
        "BitstringStatusListCredential" not in (list_claims.get("type") or [])
        or list_claims.get("id") != url
        or (list_claims.get("issuer") or {}).get("id") != check.issuer_id
        or subject.get("statusPurpose") != STATUS_PURPOSE
    ):
        check.status_words = (
            f"Its status could not be checked: {source.description} is not a status list signed "
            "by this site for this issuer."
        )
        return
    try:
        revoked = bitstring_bit(str(subject.get("encodedList", "")), index)
    except StatusListError as error:
        check.status_words = f"Its status could not be checked: {error}."
        return
    check.status = "revoked" if revoked else "active"
    age = ""
    if source.fetched_at is not None:
        age = (
            f" (fetched {source.fetched_at:%-d %B %Y, %H:%M} UTC, {_age_words(source.fetched_at)})"
        )
    check.status_words = (
        f"REVOKED: the issuer has withdrawn it, according to {source.description}{age}."
        if revoked
        else f"Not revoked, according to {source.description}{age}."
    )


def credential_check(
    token: str, *, resolve: StatusResolver, keys: list[CredentialKey] | None = None
) -> CredentialCheck:
    """Check a compact JWT credential. CredentialShapeError if the text is not a JWT at all."""
    keys = credential_verification_keys() if keys is None else keys
    check = CredentialCheck()
    claims = _verified_claims(token, keys, check)
    if claims is None:
        # Unverified claims are still read, to say whose credential failed, never to accept it.
        _header, claims = jwt_parts(token)
        _read_claims(claims, check)
        check.status_words = "Its status was not checked, since its signature does not hold."
        return check
    _read_claims(claims, check)
    _read_status(claims, keys, resolve, check)
    return check
