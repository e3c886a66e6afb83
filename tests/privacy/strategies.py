"""Hypothesis strategies for patient identifiers, embedded in clinical text, for any test to reuse.

`identifier_texts()` draws (kind, identifier, text): an identifier of one of the kinds in
`privacy.identifiers`, written as people write it, inside phrases from the clinical corpus. Every
identifier drawn is one the guard refuses (its docstring gives the rules), so a test can assert that
`kind` is found. The NHS numbers are random digits with a valid check digit, linked to nobody; the
names are random capitalised letters. Nothing here is real patient data.
"""

from datetime import date

from hypothesis import assume
from hypothesis import strategies as st

from privacy.identifier_patterns import CLINICAL_WORDS, FUNCTION_WORDS, HISTORY_ABBREVIATION
from privacy.identifiers import (
    DATE_OF_BIRTH,
    HOSPITAL_NUMBER,
    NHS_NUMBER,
    PERSON_NAME,
    POSTCODE,
)

from .clinical_corpus import CLINICAL_PHRASES

KINDS = (NHS_NUMBER, PERSON_NAME, HOSPITAL_NUMBER, DATE_OF_BIRTH, POSTCODE)

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = UPPER.lower()
DIGITS = "0123456789"
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def _check_digit(first_nine: str) -> int:
    """DOMAIN.md: weights 10..2, 11 - (sum mod 11); 11 means 0; 10 means no valid number."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=False)
    )
    result = 11 - total % 11
    return 0 if result == 11 else result


def _is_nhs_number(digits: str) -> bool:
    return len(digits) == 10 and _check_digit(digits[:9]) == int(digits[9])


NHS_SEPARATORS = ["", " ", "  ", "   ", "-", " - ", "\u2013", ".", "/", " / ", "\u00a0", "\t"]


@st.composite
def nhs_numbers(draw):
    """A valid NHS number, with any separator (or none) at each of the two breaks."""
    first_nine = draw(st.text(alphabet=DIGITS, min_size=9, max_size=9))
    check = _check_digit(first_nine)
    assume(check != 10)
    number = first_nine + str(check)
    first, second = draw(st.sampled_from(NHS_SEPARATORS)), draw(st.sampled_from(NHS_SEPARATORS))
    return f"{number[:3]}{first}{number[3:6]}{second}{number[6:]}"


@st.composite
def surnames(draw):
    """A capitalised word as names are written: Brown, BROWN, O'Neill, Smith-Jones."""
    shape = draw(st.sampled_from(["Title", "UPPER", "O'Title", "Title-Title"]))
    head = draw(st.sampled_from(UPPER)) + draw(st.text(alphabet=LOWER, min_size=1, max_size=10))
    if shape == "UPPER":
        return head.upper()
    tail = draw(st.sampled_from(UPPER)) + draw(st.text(alphabet=LOWER, min_size=1, max_size=8))
    if shape == "O'Title":
        return draw(st.sampled_from("OD")) + "'" + tail
    if shape == "Title-Title":
        return head + "-" + tail
    return head


def _after_patient(word: str) -> bool:
    """The guard's test for a name after "patient" (see `privacy.identifiers`)."""
    return (
        word.lower() not in FUNCTION_WORDS | CLINICAL_WORDS
        and not (word.isupper() and len(word) <= 6)
        and not HISTORY_ABBREVIATION.fullmatch(word)
    )


TITLES = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof"]
PATIENT_LABELS = ["patient", "Patient", "pt", "Pt", "patient name", "Patient name:", "pt:"]


@st.composite
def person_names(draw):
    """A titled name (Mr John Brown, Dr. Shah) or a name after "patient" or "pt"."""
    surname = draw(surnames())
    if draw(st.booleans()):
        assume(surname.lower() not in FUNCTION_WORDS)
        title = draw(st.sampled_from(TITLES)) + draw(st.sampled_from(["", "."]))
        given = draw(st.sampled_from(["", "J ", "J. ", "John ", "Amira "]))
        return f"{title} {given}{surname}"
    assume(_after_patient(surname))
    return f"{draw(st.sampled_from(PATIENT_LABELS))} {surname}"


HOSPITAL_LABELS = [
    "Hospital number", "hospital no", "Hosp no", "hosp. no.", "MRN", "MRN:", "unit number",
    "Unit no.", "K number", "K no", "case note number", "PAS number",
]  # fmt: skip


@st.composite
def hospital_numbers(draw):
    """Labelled (MRN 12345678), a trust code then digits (RXH 1234567), or letters then digits."""
    shape = draw(st.sampled_from(["labelled", "trust code", "letters and digits"]))
    digits = draw(st.text(alphabet=DIGITS, min_size=4 if shape == "labelled" else 6, max_size=10))
    assume(not _is_nhs_number(digits))  # reported as the more specific kind, an NHS number
    if shape == "labelled":
        letters = draw(st.text(alphabet=UPPER, max_size=3))
        return f"{draw(st.sampled_from(HOSPITAL_LABELS))} {letters}{digits}"
    if shape == "trust code":
        code = "R" + draw(st.text(alphabet=UPPER + DIGITS, min_size=2, max_size=2))
        assume(code != "REF")
        return f"{code} {digits}"
    letters = draw(st.text(alphabet=UPPER + LOWER, min_size=1, max_size=3))
    assume(not (letters == "NCT" and len(digits) == 8))  # a ClinicalTrials.gov id
    assume(letters.lower() not in {"lot", "ref", "sn", "cat", "udi"})  # a device label
    assume(letters.lower() != "dob")  # DOB then a date-shaped number is a date of birth
    return letters + digits


DATE_LABELS = ["DOB", "DOB:", "dob", "D.O.B.", "D.O.B", "d.o.b", "Date of birth", "date of birth:",
               "born", "Born", "born on", "b."]  # fmt: skip


@st.composite
def labelled_dates_of_birth(draw):
    """A date label followed by a whole date or part of one, in the common formats."""
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)))
    month = MONTHS[day.month - 1]
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(day.day, "th")
    written = draw(
        st.sampled_from(
            [
                f"{day.day}/{day.month}/{day:%y}",
                f"{day.day}.{day.month}.{day:%y}",
                f"{day:%d-%m-%Y}",
                f"{day:%d %m %y}",
                f"{day:%d%m%y}",
                f"{day:%d%m%Y}",
                f"{day:%Y%m%d}",
                f"{day.day}{suffix} {month} {day:%y}",
                f"{day.day}{suffix} {month[:3]} '{day:%y}",
                f"{month} {day.day}{suffix} {day.year}",
                f"{day.day} {month}",
                f"{day:%d/%m}",
                f"{day:%m/%Y}",
                f"{month} {day.year}",
                f"{day.year}",
                f"'{day:%y}",
            ]
        )
    )
    return f"{draw(st.sampled_from(DATE_LABELS))} {written}"


FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # not Q, V, X
SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # not I, J, Z
THIRD_A9A = "ABCDEFGHJKPSTUW"
FOURTH_AA9A = "ABEHMNPRVWXY"
INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # not C, I, K, M, O, V


@st.composite
def postcodes(draw):
    """A full UK postcode from the official grammar, in either case, with or without the space."""
    shape = draw(st.sampled_from(["A9", "A99", "AA9", "AA99", "A9A", "AA9A"]))
    outward = draw(st.sampled_from(FIRST))
    if shape.startswith("AA"):
        outward += draw(st.sampled_from(SECOND))
    outward += draw(st.sampled_from(DIGITS))
    if shape in ("A99", "AA99"):
        outward += draw(st.sampled_from(DIGITS))
    elif shape == "A9A":
        outward += draw(st.sampled_from(THIRD_A9A))
    elif shape == "AA9A":
        outward += draw(st.sampled_from(FOURTH_AA9A))
    inward = draw(st.sampled_from(DIGITS)) + "".join(
        draw(st.sampled_from(INWARD)) for _ in range(2)
    )
    written = outward + draw(st.sampled_from([" ", ""])) + inward
    return draw(st.sampled_from([str.upper, str.lower]))(written)


IDENTIFIERS = {
    NHS_NUMBER: nhs_numbers,
    PERSON_NAME: person_names,
    HOSPITAL_NUMBER: hospital_numbers,
    DATE_OF_BIRTH: labelled_dates_of_birth,
    POSTCODE: postcodes,
}

clinical_phrases = st.sampled_from([phrase.rstrip(".") for phrase in CLINICAL_PHRASES])
# Joins that end a phrase: none can make a label ("lot", "born", "patient") reach across.
JOINS = ["; ", ", ", " and ", " (", "\n"]


@st.composite
def identifier_texts(draw, kinds=KINDS):
    """(kind, identifier, text): an identifier the guard refuses, inside clinical phrases."""
    kind = draw(st.sampled_from(kinds))
    identifier = draw(IDENTIFIERS[kind]())
    before = draw(st.lists(clinical_phrases, max_size=2))
    after = draw(st.lists(clinical_phrases, max_size=2))
    parts = [*before, identifier, *after]
    text = parts[0]
    for part in parts[1:]:
        text += draw(st.sampled_from(JOINS)) + part
    return kind, identifier, text
