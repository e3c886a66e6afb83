"""The keys that sign verifiable credentials, and the public keys anyone may check them with.

The signing key is a PEM file named by ``CREDENTIAL_SIGNING_KEY`` (EC P-256: ES256; Ed25519:
EdDSA), never the database or the repository. Earlier keys' public halves, named by
``CREDENTIAL_RETIRED_PUBLIC_KEYS``, stay in the JWKS after a rotation, so every credential issued
before it still verifies. A key's id (``kid``) is its RFC 7638 thumbprint: it cannot drift from the
key, and a demo key's id says so.
"""

from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from django.conf import settings
from joserfc.jwk import ECKey, KeySet, OKPKey

from .demo_pki import DEMO_LABEL

DEMO_KID_PREFIX = "demo-not-trusted-"


class CredentialKeyError(Exception):
    """No usable credential signing key: not configured, missing, or not a supported key."""


@dataclass(frozen=True)
class CredentialKey:
    jwk: ECKey | OKPKey
    kid: str
    algorithm: str  # "ES256" or "EdDSA"
    demo: bool
    retired: bool = False  # listed for verifying only (CREDENTIAL_RETIRED_PUBLIC_KEYS)

    def public_jwk(self) -> dict:
        return self.jwk.as_dict(private=False)


def _passphrase() -> bytes | None:
    passphrase = settings.CREDENTIAL_SIGNING_KEY_PASSPHRASE or settings.DOCUMENT_SEAL_PASSPHRASE
    return passphrase.encode() if passphrase else None


def _credential_key(key: Any, *, demo: bool, retired: bool = False) -> CredentialKey:
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if not isinstance(key.curve, ec.SECP256R1):
            raise CredentialKeyError("An EC credential key must be on curve P-256 (ES256).")
        kind: type[ECKey] | type[OKPKey] = ECKey
        algorithm = "ES256"
    elif isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        kind, algorithm = OKPKey, "EdDSA"
    else:
        raise CredentialKeyError("A credential key must be EC P-256 (ES256) or Ed25519 (EdDSA).")
    thumbprint = kind.import_key(key).thumbprint()
    kid = f"{DEMO_KID_PREFIX}{thumbprint}" if demo else thumbprint
    jwk = kind.import_key(key, parameters={"kid": kid, "use": "sig", "alg": algorithm})
    return CredentialKey(jwk=jwk, kid=kid, algorithm=algorithm, demo=demo, retired=retired)


def credential_signing_key() -> CredentialKey:
    """The configured signing key; CredentialKeyError says what is wrong."""
    path = settings.CREDENTIAL_SIGNING_KEY
    if not path:
        raise CredentialKeyError(
            "No credential signing key is configured (set CREDENTIAL_SIGNING_KEY)."
        )
    try:
        modified = Path(path).stat().st_mtime_ns
    except OSError:
        hint = "" if settings.IS_PRODUCTION else " (`manage.py demo_pki` makes a demo one)"
        raise CredentialKeyError(
            f"The credential signing key {path} does not exist{hint}."
        ) from None
    return _signing_key_read(str(path), modified, _passphrase())


# Reading and decrypting a PEM costs milliseconds; a replaced file (new mtime) is read afresh.
@lru_cache(maxsize=4)
def _signing_key_read(path: str, _modified: int, passphrase: bytes | None) -> CredentialKey:
    data = Path(path).read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError:
        # Not encrypted after all, though a passphrase is set (the seal's, by default).
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as error:
        raise CredentialKeyError(
            f"Could not read the credential signing key {Path(path).name}: {error}"
        ) from error
    return _credential_key(key, demo=DEMO_LABEL.encode() in data)


def _public_key_read(path: str) -> CredentialKey:
    try:
        data = Path(path).read_bytes()
        key = serialization.load_pem_public_key(data)
    except (OSError, ValueError) as error:
        raise CredentialKeyError(
            f"Could not read the retired public key {path}: {error}"
        ) from error
    return _credential_key(key, demo=DEMO_LABEL.encode() in data, retired=True)


def credential_verification_keys(*, retired_paths: list[str] | None = None) -> list[CredentialKey]:
    """Every key a credential of ours may be signed with: the current one first, then retired."""
    keys = []
    # A site may keep verifying (retired keys) while its signing key is being replaced.
    with suppress(CredentialKeyError):
        keys.append(credential_signing_key())
    paths = settings.CREDENTIAL_RETIRED_PUBLIC_KEYS if retired_paths is None else retired_paths
    seen = {key.kid for key in keys}
    for path in paths:
        key = _public_key_read(str(path))
        if key.kid not in seen:
            keys.append(key)
            seen.add(key.kid)
    return keys


def jwks_document() -> dict:
    """The JSON Web Key Set served at /.well-known/jwks.json."""
    return {"keys": [key.public_jwk() for key in credential_verification_keys()]}


def key_set(keys: list[CredentialKey]) -> KeySet:
    return KeySet([key.jwk for key in keys])


def public_key_pem(key: CredentialKey) -> bytes:
    """The public half as PEM, for CREDENTIAL_RETIRED_PUBLIC_KEYS after a rotation. A demo key's
    label goes with it, so its key id stays the same."""
    pem = key.jwk.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return (f"Retired credential key ({DEMO_LABEL})\n".encode() if key.demo else b"") + pem
