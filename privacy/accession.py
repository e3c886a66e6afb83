"""Accession numbers, keyed the moment they are read (issue 16): the one identifier the app takes
in, and only to throw it away.

A hospital's procedure list and a trainee's case may both name the angio-suite's accession number
(or event id). The app never stores it: on reading, it is replaced by an HMAC-SHA256 under the
organisation's own secret key, and only that digest is kept. Two reasons for a keyed hash rather
than a bare one: an accession number is short and often sequential, so a bare SHA-256 could be
reversed by trying every number; and a key per organisation means the same number at two trusts
gives two unrelated digests, so evidence never matches across trusts.

Keys come from configuration, never the database: ``RECONCILIATION_KEYS`` maps an organisation's
id to its key (64 hex digits, 32 bytes), and ``RECONCILIATION_PREVIOUS_KEYS`` holds the key being
rotated out (docs/deploy.md, "Rotating a reconciliation key"). Outside production an organisation
with no configured key gets a development key derived from ``SECRET_KEY``; in production it gets
none, and its lists and accession numbers are refused with a message that names the setting.

This module is in ``privacy`` (the floor) because both the logbook (a case's accession number) and
reconciliation (the list) key with it, and neither may import the other's way.
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

# What an accession number or event id may look like: letters and digits, with the separators
# systems print (space, hyphen, slash, dot). Checked so a pasted sentence is refused, not keyed.
_ACCESSION_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]{0,38}[A-Za-z0-9]$|^[A-Za-z0-9]$")
_SEPARATORS = re.compile(r"[\s./-]+")
KEY_HEX_LENGTH = 64
NO_KEY = (
    "This organisation has no reconciliation key configured (RECONCILIATION_KEYS), so accession "
    "numbers cannot be taken: ask the system administrator."
)
NOT_AN_ACCESSION = (
    "This does not look like an accession number or event id: use letters and digits only "
    "(spaces, hyphens, dots and slashes are ignored), at most 40 characters."
)


class AccessionKeyMissing(Exception):
    """The organisation has no key: nothing may be keyed for it."""


class NotAnAccessionNumber(ValueError):
    """The text is not shaped like an accession number. Its message never repeats the text."""


def accession_normalised(raw: str) -> str:
    """The form that is keyed: NFKC, separators removed, upper case, so "rx-123 45" and
    "RX12345" give one digest."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text or not _ACCESSION_SHAPE.match(text):
        raise NotAnAccessionNumber(NOT_AN_ACCESSION)
    return _SEPARATORS.sub("", text).upper()


def _configured(setting: str, organisation_id: int) -> bytes | None:
    value = (getattr(settings, setting, None) or {}).get(str(organisation_id), "")
    if not value:
        return None
    return bytes.fromhex(value)


def _development_key(organisation_id: int) -> bytes:
    seed = f"reconciliation-development-key:{organisation_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), seed, hashlib.sha256).digest()


def organisation_key(organisation_id: int) -> bytes:
    """The organisation's current key. Raises AccessionKeyMissing in production without one."""
    key = _configured("RECONCILIATION_KEYS", organisation_id)
    if key is not None:
        return key
    if settings.IS_PRODUCTION:
        raise AccessionKeyMissing(NO_KEY)
    return _development_key(organisation_id)


def organisation_has_key(organisation_id: int) -> bool:
    try:
        organisation_key(organisation_id)
    except AccessionKeyMissing:
        return False
    return True


def _digest(key: bytes, normalised: str) -> str:
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def accession_digest(organisation_id: int, raw: str) -> str:
    """The digest a case stores: the accession number under the organisation's current key."""
    return _digest(organisation_key(organisation_id), accession_normalised(raw))


def organisation_keys(organisation_id: int) -> tuple[bytes, bytes | None]:
    """(the current key, the previous key during a rotation, else None), read once for a list."""
    return (
        organisation_key(organisation_id),
        _configured("RECONCILIATION_PREVIOUS_KEYS", organisation_id),
    )


def accession_digests(
    organisation_id: int, raw: str, keys: tuple[bytes, bytes | None] | None = None
) -> tuple[str, str]:
    """(digest under the current key, digest under the previous key or "") for a list entry:
    during a rotation a list is keyed both ways, so cases keyed before it still match. ``keys``
    (from ``organisation_keys``) saves reading them again for every row of a list."""
    normalised = accession_normalised(raw)
    current_key, previous_key = keys or organisation_keys(organisation_id)
    current = _digest(current_key, normalised)
    previous = _digest(previous_key, normalised) if previous_key is not None else ""
    return current, previous


def key_setting_problems(setting: str, value: object) -> list[str]:
    """What is wrong with a configured key map (the settings module refuses to start on any)."""
    if not isinstance(value, dict):
        return [f"{setting} must map organisation ids to keys"]
    problems = []
    for organisation_id, key in value.items():
        if not str(organisation_id).isdigit():
            problems.append(f"{setting}: {organisation_id!r} is not an organisation id")
        if not re.fullmatch(f"[0-9a-fA-F]{{{KEY_HEX_LENGTH}}}", str(key)):
            problems.append(
                f"{setting}: the key of organisation {organisation_id} is not "
                f"{KEY_HEX_LENGTH} hex digits (32 bytes)"
            )
    return problems
