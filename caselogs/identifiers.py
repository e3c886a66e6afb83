"""Refuse free text that holds a patient identifier, so the logbook never stores one.

The logbook is evidence about the trainee, not a record about patients. It holds age in years, sex
and a reference the trainee makes up, and nothing that identifies a patient: this is the Council of
Caldicott Guardians' advice for trainee logbooks, and the Caldicott principles ask for the minimum
necessary. GMC confidentiality guidance counts key dates such as birth and death as identifiers,
and the ICO is clear that pseudonymised data is still personal data under UK GDPR. Structured
fields leave no room for an identifier; free text (reflections, comments, notes) does, so every
free-text field is checked with `reject_patient_identifiers` and refused input is never saved.

Three shapes are refused (SPEC 4.1). Each decision below trades a small false-positive rate for
privacy: a refused sentence costs the trainee a rewrite, a stored identifier cannot be taken back.

NHS number
    Ten digits, written plain (9999999999), 3-3-4 with spaces or hyphens, or with a space or hyphen
    at either break, that pass the modulus-11 check digit. The ten digits must not touch another
    digit on either side: a run of 9, 11 or 12 digits is some other number. Letters or punctuation
    next to it do not stop the check ("NHS:9999999999" is still refused). A number that fails the
    check digit is accepted, as the SPEC says: it cannot be a valid NHS number, and ten-digit device
    lot and reference numbers are common in thrombectomy notes. A Scottish CHI number uses the same
    check and is refused too, which is right. Hospital numbers have no shape to check; the case
    reference field and the user guidance cover them.

Dates (reported as "date of birth")
    Any full calendar date, day + month + year, is refused, not only the ones labelled as a date
    of birth: a date of birth need not come labelled, a date of death is an identifier too, and the
    case has its own date field, so free text never needs a full date. Forms: d/m/y with "/", "-"
    or "." and a 2- or 4-digit year; y-m-d with a 4-digit year; "12 March 1956", "12th of Mar 56",
    "12-MAR-1956", "March 12, 1956". Numeric dates are read day-first or month-first and refused if
    either reading is a real date; 4-digit years run from 1800 to 2199. A label ("DOB", "D.O.B.",
    "date of birth", "born") followed by even part of a date (a day and month, a month and year, or
    a year) is refused as well. Not refused: times (14:30), intervals (45 min), two-part scores and
    fractions (ASPECTS 8/10, 3/4 passes, mRS 0-2), a year alone (2024), a day and month or month and
    year without a label. Separator-free dates (19560312) are not detected: they cannot be told
    apart from lot and reference numbers. A known false positive: a score trend written "18-12-10"
    reads as a date; writing "18, 12, 10" avoids it.

UK postcode
    A full postcode, outward and inward code, in any letter case, with one space or none, built from
    the real grammar (outward A9, A99, AA9, AA99, A9A, AA9A; inward 9AA; with the letters each
    position allows) plus GIR 0AA. The letter rules keep clinical tokens out: an outward code alone
    (M1, PH1, HI2, "M2 occlusion", "T2 FLAIR") never matches. One exception keeps the commonest
    shorthand usable: an inward code that reads as an ordinal (1st, 2nd, 3rd, 4th...) followed by
    "pass" or "attempt" is read as "M1 2nd pass", not a postcode; no postcode is followed by those
    words. A known false positive: a French size straight after a vessel ("M1 6Fr") reads as a
    postcode; "6Fr" anywhere else is fine.

The checks run on the NFKC form of the text, so full-width digits and unusual spaces are caught.
They guard against mistakes, not against someone set on hiding an identifier.

Messages say why the text was refused and never repeat the identifier, so nothing identifying
reaches an error page, a log or an e-mail.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

NHS_NUMBER = "NHS number"
DATE_OF_BIRTH = "date of birth"
POSTCODE = "postcode"

_NEVER_RECORD = "Never record patient identifiers: use your own case reference."

MESSAGES = {
    NHS_NUMBER: (
        "This looks like an NHS number (a 10-digit number with a valid check digit). "
        + _NEVER_RECORD
    ),
    DATE_OF_BIRTH: (
        "This looks like a date of birth (a full date, or a date after \u201cDOB\u201d or "
        "\u201cborn\u201d). Free text must not hold full dates: record the patient's age in years, "
        "and the case date in its own field. " + _NEVER_RECORD
    ),
    POSTCODE: (
        "This looks like a UK postcode, which is part of a patient's address. " + _NEVER_RECORD
    ),
}


@dataclass(frozen=True)
class IdentifierFinding:
    kind: str
    message: str


def nhs_number_is_valid(digits: str) -> bool:
    """True when ten digits pass the NHS number modulus-11 check (DOMAIN.md, "Patient data")."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check == int(digits[9])  # a check of 10 matches no digit: the number is invalid


_NHS_NUMBER = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)", re.ASCII)


def _nhs_number_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _NHS_NUMBER.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            yield match.span()


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_DAY = r"(?P<day>\d{1,2})(?!\d)(?:st|nd|rd|th)?"
_YEAR = r"'?(?P<year>\d{4}|\d{2})(?!\d)"
_GAP = r"[ \t]*[-/.,]?[ \t]*"

_NUMERIC_DMY = re.compile(
    r"(?<!\d)(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)" + _YEAR, re.ASCII
)
_NUMERIC_YMD = re.compile(
    r"(?<!\d)(?P<year>\d{4})(?P<sep>[/.-])(?P<a>\d{1,2})(?P=sep)(?P<b>\d{1,2})(?!\d)", re.ASCII
)
_TEXT_DMY = re.compile(
    r"(?<!\d)" + _DAY + _GAP + r"(?:of[ \t]+)?" + _MONTH + _GAP + _YEAR, re.ASCII | re.IGNORECASE
)
_TEXT_MDY = re.compile(r"\b" + _MONTH + _GAP + _DAY + _GAP + _YEAR, re.ASCII | re.IGNORECASE)

_LABEL = (
    r"\b(?:d\.?[ \t]?o\.?[ \t]?b(?![a-z])\.?|date[ \t]+of[ \t]+birth|born(?:[ \t]+(?:on|in))?)"
)
_LABELLED_PART = re.compile(
    _LABEL
    + r"[ \t]*[:=\-]?[ \t]*(?:"
    + r"(?<!\d)\d{1,2}[/.-]\d{1,2}(?!\d)"  # 12/03 or 03/56
    + r"|(?<!\d)\d{1,2}(?!\d)(?:st|nd|rd|th)?" + _GAP + r"(?:of[ \t]+)?" + _MONTH  # 12 March
    + r"|" + _MONTH.replace("?P<month>", "") + _GAP + r"\d{1,4}(?!\d)"  # March 12, March 1956
    + r"|(?<!\d)(?:1[89]|2[01])\d\d(?!\d)"  # 1956
    + r")",
    re.ASCII | re.IGNORECASE,
)


def _full_year(year: str) -> list[int]:
    if len(year) == 4:
        return [int(year)] if 1800 <= int(year) <= 2199 else []
    return [1900 + int(year), 2000 + int(year)]


def _is_real_date(years: list[int], month: int, day: int) -> bool:
    for year in years:
        try:
            date(year, month, day)
        except ValueError:
            continue
        return True
    return False


def _date_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _NUMERIC_DMY.finditer(text):
        years, a, b = _full_year(match["year"]), int(match["a"]), int(match["b"])
        if _is_real_date(years, b, a) or _is_real_date(years, a, b):
            yield match.span()
    for match in _NUMERIC_YMD.finditer(text):
        if _is_real_date(_full_year(match["year"]), int(match["a"]), int(match["b"])):
            yield match.span()
    for pattern in (_TEXT_DMY, _TEXT_MDY):
        for match in pattern.finditer(text):
            month = _MONTHS[match["month"][:3].lower()]
            if _is_real_date(_full_year(match["year"]), month, int(match["day"])):
                yield match.span()
    for match in _LABELLED_PART.finditer(text):
        yield match.span()


_OUTWARD = (
    r"[A-PR-UWYZ]"  # first letter: not Q, V or X
    r"(?:[A-HK-Y]?\d\d?"  # A9, A99, AA9, AA99; second letter not I, J or Z
    r"|\d[A-HJKPSTUW]"  # A9A
    r"|[A-HK-Y]\d[ABEHMNPRVWXY])"  # AA9A
)
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:(?P<outward>" + _OUTWARD + r")[ ]?\d(?P<letters>[ABD-HJLNP-UW-Z]{2})"
    r"|GIR[ ]?0AA)(?![A-Za-z0-9])",
    re.ASCII | re.IGNORECASE,
)
_PASS_AFTER_ORDINAL = re.compile(r"[ \t]+(?:pass|attempt)(?:es|s)?\b", re.ASCII | re.IGNORECASE)


def _is_pass_number(text: str, match: re.Match) -> bool:
    """Reads "M1 2nd pass" as an ordinal, not an inward code: no postcode is followed by "pass"."""
    return match["letters"].lower() in {"st", "nd", "rd", "th"} and bool(
        _PASS_AFTER_ORDINAL.match(text, match.end())
    )


def _postcode_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _POSTCODE.finditer(text):
        if match["outward"] is None or not _is_pass_number(text, match):
            yield match.span()


_DETECTORS = (
    (NHS_NUMBER, _nhs_number_spans),
    (DATE_OF_BIRTH, _date_spans),
    (POSTCODE, _postcode_spans),
)


def find_patient_identifiers(text: str) -> list[IdentifierFinding]:
    """Every identifier-shaped stretch of `text`, in reading order; overlapping hits count once."""
    if not text:
        return []
    normalised = unicodedata.normalize("NFKC", text)
    hits = sorted(
        (start, end, kind) for kind, spans in _DETECTORS for start, end in spans(normalised)
    )
    findings = []
    covered_to = -1
    for start, end, kind in hits:
        if start < covered_to:
            covered_to = max(covered_to, end)
            continue
        findings.append(IdentifierFinding(kind=kind, message=MESSAGES[kind]))
        covered_to = end
    return findings


def reject_patient_identifiers(value: str) -> None:
    """Django validator for free-text model and form fields."""
    findings = find_patient_identifiers(value)
    if findings:
        raise ValidationError(findings[0].message, code="patient_identifier")
