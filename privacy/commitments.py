"""Commitments to free text: what the audit log, signatures and signed content hold instead of it.

Free text a person writes stays in its own row. Anything that must prove later what the text was (a
signature's hash, a sign-off's digest, an audit event) holds a *commitment* to it: an HMAC-SHA256
of the text under ``settings.TEXT_COMMITMENT_KEY``. Two reasons for a key rather than a bare hash:
a short text ("DOB 23/07/1938" alone) could be found again from a bare SHA-256 by trying every
date, and the log and signatures are kept for ever. The key never changes (rotating it would make
every commitment unverifiable); it is a setting, never stored in the database.

When an administrator redacts a text (``audit.redaction``), the row keeps "[redacted]" and the
redaction record keeps the commitment of what was removed, so ``committed_text`` still gives the
original commitment and every chain and signature over it still verifies.
"""

import hashlib
import hmac
from typing import Any

from django.conf import settings

REDACTED = "[redacted]"
COMMITMENT_PREFIX = "hmac-sha256:"


def text_commitment(text: str) -> str:
    """The commitment to ``text``: stable, keyed, and revealing nothing of it."""
    key = settings.TEXT_COMMITMENT_KEY.encode()
    digest = hmac.new(key, (text or "").encode(), hashlib.sha256).hexdigest()
    return COMMITMENT_PREFIX + digest


def is_commitment(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(COMMITMENT_PREFIX) and len(value) == 76
