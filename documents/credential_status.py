"""Bitstring Status List (W3C, v1.0): one signed list per issuing organisation, at a stable URL.

Each credential holds one bit (``statusListIndex``) of its issuer's list; a set bit means revoked
(``statusPurpose: revocation``). The list is 131,072 bits, the size the specification sets as the
minimum for herd privacy, and bits are drawn at random: a verifier who fetches the list learns
nothing about which credential it is checking. The list is itself a credential, signed with the
same key as the credentials it speaks for, and built afresh from the database on each request.
"""

import base64
import gzip
import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from joserfc import jwt

from accounts.models import Organisation

from .credential_keys import CredentialKey, credential_signing_key

STATUS_LIST_BITS = 131_072
STATUS_PURPOSE = "revocation"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
JWT_TYPE = "vc+jwt"


class StatusListError(ValueError):
    """The status list could not be read: not a status list, or its bits are malformed."""


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def status_list_url(issuer_id: int) -> str:
    return site_url(reverse("documents:credential_status_list", args=[issuer_id]))


def issuer_url(issuer_id: int) -> str:
    return site_url(reverse("documents:credential_issuer", args=[issuer_id]))


def issuer_profile(issuer: Organisation) -> dict:
    """The Open Badges Profile of an issuing organisation, as credentials name it."""
    return {"id": issuer_url(issuer.pk), "type": ["Profile"], "name": issuer.name}


def status_index_draw() -> int:
    return secrets.randbelow(STATUS_LIST_BITS)


def bitstring_encode(revoked: set[int]) -> str:
    """GZIP of the bits (index 0 is the first byte's most significant bit), multibase base64url."""
    bits = bytearray(STATUS_LIST_BITS // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=")
    return "u" + encoded.decode()


def bitstring_bit(encoded_list: str, index: int) -> bool:
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise StatusListError("the list is not multibase base64url ('u' prefix)")
    body = encoded_list[1:]
    try:
        bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError, EOFError) as error:
        raise StatusListError(f"the list's bits cannot be decoded ({error})") from error
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} is outside the list of {len(bits) * 8} bits")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_list_token(issuer: Organisation, *, key: CredentialKey | None = None) -> str:
    """The issuer's status list as a signed BitstringStatusListCredential (JWT)."""
    from .models import IssuedCredential

    key = key or credential_signing_key()
    revoked = set(
        IssuedCredential.objects.filter(issuer=issuer, revoked_at__isnull=False).values_list(
            "status_index", flat=True
        )
    )
    url = status_list_url(issuer.pk)
    now = datetime.now(UTC)
    profile = issuer_profile(issuer)
    claims = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": profile,
        "validFrom": _utc(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": bitstring_encode(revoked),
        },
        "iss": profile["id"],
        "jti": url,
        "iat": int(now.timestamp()),
    }
    header = {"alg": key.algorithm, "kid": key.kid, "typ": JWT_TYPE, "cty": "vc"}
    return jwt.encode(header, claims, key.jwk, algorithms=[key.algorithm])
