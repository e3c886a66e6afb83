"""Refuse free text that holds a patient identifier, so the logbook never stores one.

The logbook is evidence about the trainee, not a record about patients. It holds age in years, sex
and a reference the trainee makes up, and nothing that identifies a patient: this is the Council of
Caldicott Guardians' advice for trainee logbooks, and the Caldicott principles ask for the minimum
necessary. GMC confidentiality guidance counts key dates such as birth and death as identifiers,
and the ICO is clear that pseudonymised data is still personal data under UK GDPR. Structured
fields leave no room for an identifier; free text (reflections, comments, notes) does, so every
free-text field is checked with `reject_patient_identifiers` and refused input is never saved.

Five kinds are refused (SPEC 4.1, widened; docs/privacy.md lists examples, the clinical corpus and
the measured false-refusal rate). Each rule trades a small false-positive rate for privacy: a
refused sentence costs the trainee a rewrite, a stored identifier cannot be taken back. The
patterns are in `identifier_patterns.py`.

NHS number
    Ten digits in 3-3-4 groups that pass the modulus-11 check digit, with no separator or any of:
    spaces (one or more), a hyphen or dash, a dot or a slash, alone or with spaces around, at
    either break. The ten digits must not touch another digit on either side: a run of 9, 11 or 12
    digits is some other number. Letters or punctuation next to it do not stop the check
    ("NHS:9999999999" is refused). A number that fails the check digit is accepted, as the SPEC
    says: it cannot be a valid NHS number, and ten-digit lot and reference numbers are common. A
    Scottish CHI number uses the same check and is refused too, which is right.

Hospital number
    Labelled: "hospital number", "hospital no", "hosp no", "hosp. no.", "MRN", "unit number",
    "unit no", "K number", "K no", "case note number", "PAS number" (any case), followed by a
    token (letters, then digits in groups) holding at least 4 digits. A trust code (R and two
    capitals or digits, as "RXH" or "RR8", not "REF") followed by 6 to 10 digits. Unlabelled: 1 to
    3 letters followed at once by 6 to 10 digits ("RX1234567", "K123456"), as trusts print them,
    unless a device label comes straight before it (lot, batch, ref, cat, catalogue, serial, SN,
    S/N, UDI, GTIN, part no, product code; with or without "no", "number", ":" or "#"), its letters
    are such a label printed against the number ("LOT1234567", "REF1234567", "SN1234567"), or it
    is a ClinicalTrials.gov id (NCT and 8 digits). Known false positives: a made-up case reference
    of that shape ("MT2024015"; "MT-2024-015" passes) and a catalogue number with no label. Known
    miss: a hospital number written straight after a device label ("ref RX1234567") passes.

Patient name
    A title as written, Mr, Mrs, Ms, Miss, Mx, Dr or Prof (with or without a full stop), followed
    by a capitalised word or initial in any alphabet: "Mr John Brown", "Mrs O'Neill", "Dr Şahin",
    "Mr BROWN". Case matters, so "mRS 0-2", "MRS", "MR angiography" and "dr" are not titles; "Near
    Miss" and "Near-Miss" are not either. After a title only `FUNCTION_WORDS` pass ("the stroke
    Dr. The team..."). Staff names are refused too, by design: free text names roles, not people.
    Also "patient", "Patient", "PATIENT", "pt" or "Pt" (not straight after a digit: "3pt" is three
    points; then optionally "'s", "name", ":") followed by a capitalised word of 2 or more letters
    that is not clinical: words in `FUNCTION_WORDS` and `CLINICAL_WORDS` (NHS phrases such as
    "Patient Safety" or "Patient Group Direction", common verbs and states, results, drugs),
    all-capital abbreviations of up to 6 letters ("pt NIHSS", "patient GA"), and history shorthand
    ending in x ("pt PMHx"). A capitalised verb or adjective after "patient" passes only if the
    stop list has it ("Patient Transferred" passes; "Patient Repatriated" is refused, a known false
    positive): names cannot be told from words by shape ("Ahmed" and "Fred" end in -ed too). Known
    misses: a surname in capitals of 6 letters or fewer after "patient" ("pt SMITH"; "Mr SMITH" is
    caught), a name that is a listed word ("patient Will"), a name in lower case, or after a comma
    ("patient, John").

Dates (reported as "date of birth")
    Any full calendar date, day + month + year, is refused, not only the ones labelled as a date
    of birth: a date of birth need not come labelled, a date of death is an identifier too, and the
    case has its own date field, so free text never needs a full date. Forms: d/m/y with "/", "-"
    or "." and a 2- or 4-digit year; y-m-d with a 4-digit year; "12 March 1956", "12th of Mar 56",
    "12-MAR-1956", "March 12, 1956". Numeric dates are read day-first or month-first and refused if
    either reading is a real date; 4-digit years run from 1800 to 2199. After a date-of-birth
    label ("DOB", "d.o.b.", "D.O.B", "date of birth", "born", "born on/in", "b."; then optionally
    ":", "is", "was", "the"), even part of a date is refused: a day and month, a month and year, a
    year (1956, '56), numbers in groups that read as a date (12/03, 07/1938, 23 07 38), or a date
    with no separator (230738, 23071938, 19380723). "Born at 32 weeks", "born 32/40" and "born in
    Leeds" pass: what follows the label is not a date. Not refused: times (14:30), intervals (45
    min), two-part scores and fractions (ASPECTS 8/10, 3/4 passes, mRS 0-2), a year alone (2024),
    a day and month or month and year without a label, separator-free digits without a label (lot
    numbers). Known false positives: a score trend "18-12-10" reads as a date ("18, 12, 10"
    passes); "b." as a list marker before a year ("b. 2019 guidance") reads as a year of birth.

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

Stretches that overlap count once, reported as the most specific kind among them: NHS number,
then date, postcode, hospital number, name ("MRN 999 590 8301" is reported as an NHS number).

Messages say what kind of identifier was found and what to write instead, and never repeat the
identifier, so nothing identifying reaches an error page, a log or an e-mail.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

from . import identifier_patterns as patterns

NHS_NUMBER = "NHS number"
DATE_OF_BIRTH = "date of birth"
POSTCODE = "postcode"
PERSON_NAME = "patient name"
HOSPITAL_NUMBER = "hospital number"

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
    PERSON_NAME: (
        "This looks like a person's name (a title or the word \u201cpatient\u201d followed by a "
        "name). Name the role, not the person: write \u201cthe patient\u201d, \u201cthe "
        "registrar\u201d, \u201cthe consultant\u201d. Staff names are refused too, because free "
        "text names roles, not people. " + _NEVER_RECORD
    ),
    HOSPITAL_NUMBER: (
        "This looks like a hospital number (a labelled hospital, unit or K number or MRN, or "
        "letters followed by 6 to 10 digits). Refer to the case by your own case reference. A "
        "device lot or reference number is fine after \u201clot\u201d or \u201cREF\u201d. "
        + _NEVER_RECORD
    ),
}


@dataclass(frozen=True)
class IdentifierFinding:
    kind: str
    message: str


Spans = Iterator[tuple[int, int]]


def nhs_number_is_valid(digits: str) -> bool:
    """True when ten digits pass the NHS number modulus-11 check (DOMAIN.md, "Patient data")."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=False)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check == int(digits[9])  # a check of 10 matches no digit: the number is invalid


def _nhs_number_spans(text: str) -> Spans:
    for match in patterns.NHS_NUMBER.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            yield match.span()


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


def _is_full_date(first: str, second: str, third: str) -> bool:
    """Three numbers read day-month-year, month-day-year or year-month-day."""
    if len(first) == 4:
        return _is_real_date(_full_year(first), int(second), int(third))
    years, a, b = _full_year(third), int(first), int(second)
    return len(third) in (2, 4) and (_is_real_date(years, b, a) or _is_real_date(years, a, b))


def _is_date_part(numbers: str) -> bool:
    """After a date label: a year, a day and month, a month and year, or a whole date."""
    groups = re.findall(r"\d+", numbers)
    if len(groups) == 1:
        run = groups[0]
        if len(run) == 4:
            return bool(_full_year(run))
        if len(run) in (6, 8):  # ddmmyy, mmddyy, ddmmyyyy, mmddyyyy, yyyymmdd
            return _is_full_date(run[:2], run[2:4], run[4:]) or (
                len(run) == 8 and _is_full_date(run[:4], run[4:6], run[6:])
            )
        return False
    if len(groups) == 3:
        return _is_full_date(*groups)
    first, second = groups
    a, b = int(first), int(second)
    if len(first) == 4:
        return bool(_full_year(first)) and 1 <= b <= 12
    day_month = _is_real_date([2000], b, a) or _is_real_date([2000], a, b)
    year = len(second) == 2 or (len(second) == 4 and bool(_full_year(second)))
    month_year = 1 <= a <= 12 and year
    return day_month or month_year


def _date_spans(text: str) -> Spans:
    for match in patterns.NUMERIC_DMY.finditer(text):
        if _is_full_date(match["a"], match["b"], match["year"]):
            yield match.span()
    for match in patterns.NUMERIC_YMD.finditer(text):
        if _is_real_date(_full_year(match["year"]), int(match["a"]), int(match["b"])):
            yield match.span()
    for pattern in (patterns.TEXT_DMY, patterns.TEXT_MDY):
        for match in pattern.finditer(text):
            month = patterns.MONTHS[match["month"][:3].lower()]
            if _is_real_date(_full_year(match["year"]), month, int(match["day"])):
                yield match.span()
    for match in patterns.LABELLED_DATE.finditer(text):
        if match["numbers"] is None or _is_date_part(match["numbers"]):
            yield match.span()


def _is_pass_number(text: str, match: re.Match) -> bool:
    """Reads "M1 2nd pass" as an ordinal, not an inward code: no postcode is followed by "pass"."""
    return match["letters"].lower() in {"st", "nd", "rd", "th"} and bool(
        patterns.PASS_AFTER_ORDINAL.match(text, match.end())
    )


def _postcode_spans(text: str) -> Spans:
    for match in patterns.POSTCODE.finditer(text):
        if match["outward"] is None or not _is_pass_number(text, match):
            yield match.span()


def _is_name(word: str) -> bool:
    """A capitalised word after "patient" or "pt" that is not clinical shorthand."""
    if not word[0].isupper() or len(word) < 2:
        return False
    if word.lower() in patterns.FUNCTION_WORDS | patterns.CLINICAL_WORDS:
        return False
    if word.isupper() and len(word) <= 6:
        return False  # NIHSS, GA, HASU: abbreviations, not names
    return not patterns.HISTORY_ABBREVIATION.fullmatch(word)


def _name_spans(text: str) -> Spans:
    for match in patterns.TITLED_NAME.finditer(text):
        name = match["name"]
        if name[0].isupper() and name.lower() not in patterns.FUNCTION_WORDS:
            yield match.span()
    for match in patterns.PATIENT_NAME.finditer(text):
        if _is_name(match["name"]):
            yield match.span()


def _hospital_number_spans(text: str) -> Spans:
    for match in patterns.LABELLED_HOSPITAL_NUMBER.finditer(text):
        if sum(char.isdigit() for char in match["number"]) >= 4:
            yield match.span()
    for pattern in (patterns.TRUST_CODE_NUMBER, patterns.HOSPITAL_NUMBER_SHAPE):
        for match in pattern.finditer(text):
            window = max(0, match.start() - 40)  # a label and its "no.", ":" fit in 40
            if not patterns.DEVICE_LABEL_BEFORE.search(text, window, match.start()):
                yield match.span()


_DETECTORS = (  # most specific first
    (NHS_NUMBER, _nhs_number_spans),
    (DATE_OF_BIRTH, _date_spans),
    (POSTCODE, _postcode_spans),
    (HOSPITAL_NUMBER, _hospital_number_spans),
    (PERSON_NAME, _name_spans),
)


# When stretches overlap ("MRN 999 590 8301"), the most specific kind is reported.
_SPECIFICITY = [kind for kind, _ in _DETECTORS]


def find_patient_identifiers(text: str) -> list[IdentifierFinding]:
    """Every identifier-shaped stretch of `text`, in reading order; overlapping hits count once,
    as the most specific kind among them."""
    if not text:
        return []
    normalised = unicodedata.normalize("NFKC", text)
    hits = sorted(
        (start, end, kind) for kind, spans in _DETECTORS for start, end in spans(normalised)
    )
    clusters: list[list[str]] = []
    covered_to = -1
    for start, end, kind in hits:
        if start < covered_to:
            clusters[-1].append(kind)
        else:
            clusters.append([kind])
        covered_to = max(covered_to, end)
    kinds = [min(cluster, key=_SPECIFICITY.index) for cluster in clusters]
    return [IdentifierFinding(kind=kind, message=MESSAGES[kind]) for kind in kinds]


def reject_patient_identifiers(value: str) -> None:
    """Django validator for free-text model and form fields."""
    findings = find_patient_identifiers(value)
    if findings:
        raise ValidationError(findings[0].message, code="patient_identifier")
