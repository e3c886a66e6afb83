"""Short verification codes printed on each document and typed into /verify/.

Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), shown as XXXXX-XXXXX:
30 symbols, about 49 bits, so guessing a valid code is impractical.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 5
LENGTH = 10
_FORMAT = re.compile(rf"^[{ALPHABET}]{{{GROUP}}}-[{ALPHABET}]{{{GROUP}}}$")


def verification_code_new() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:GROUP]}-{raw[GROUP:]}"


def verification_code_normalise(text: str) -> str:
    """Accept what a person types (lower case, spaces, no dash); return the stored form or ""."""
    raw = re.sub(r"[\s-]", "", text or "").upper()
    code = f"{raw[:GROUP]}-{raw[GROUP:]}"
    return code if _FORMAT.match(code) else ""
