"""The identifier finder at the edges of its rules, each edge from both sides (issue 19: tests
written for the survivors of mutation testing, docs/testing.md). docs/privacy.md and the module
docstring of privacy/identifiers.py state the rules these hold."""

import pytest

from privacy.identifiers import (
    DATE_OF_BIRTH,
    HOSPITAL_NUMBER,
    NHS_NUMBER,
    PERSON_NAME,
    POSTCODE,
    find_patient_identifiers,
    nhs_number_is_valid,
)

EDGES = [
    # 4-digit years run from 1800 to 2199.
    ("born 1800", DATE_OF_BIRTH),
    ("born 1799", None),
    ("born 2199", DATE_OF_BIRTH),
    ("born 2200", None),
    # A 2-digit year is read as 19yy or 20yy: 29 February is a date in 2000 (not 1900), never in
    # 2003, always in 2004.
    ("29/02/00", DATE_OF_BIRTH),
    ("29/02/03", None),
    ("29/02/04", DATE_OF_BIRTH),
    # After a label, a year and month: the month runs from 1 to 12 and the year must be one.
    ("DOB 1938/01", DATE_OF_BIRTH),
    ("DOB 1938/12", DATE_OF_BIRTH),
    ("DOB 1938/13", None),
    ("DOB 1700/05", None),
    # After a label, a month and year: the month runs from 1 to 12, a 4-digit year must be one.
    ("DOB 12/1938", DATE_OF_BIRTH),
    ("DOB 13/1938", None),
    ("DOB 05/1700", None),
    # After a label, a day and month read in a leap year: 29 February is a birthday, written
    # either way round.
    ("DOB 29/02", DATE_OF_BIRTH),
    ("DOB 02/29", DATE_OF_BIRTH),
    # Year first, as ISO 8601 and its cousins, with no label: a real date only.
    ("seen 1938-10-30", DATE_OF_BIRTH),
    ("seen 2019.03.15", DATE_OF_BIRTH),
    ("seen 1938-02-30", None),
    ("seen 1938-13-01", None),
    # After a label, digits with no separator: yyyymmdd, every digit in its place.
    ("DOB 19381030", DATE_OF_BIRTH),
    ("DOB 193807", None),
    # An ordinal before "pass" is not a postcode's inward code, whichever ordinal: "M4 4th pass".
    ("M1 1st pass", None),
    ("M4 4th pass", None),
    ("M4 4TH", POSTCODE),
    # After "patient", capitals of up to 6 letters are an abbreviation; 7 or more, a name.
    ("pt BROWNE was seen", None),
    ("pt JOHNSON was seen", PERSON_NAME),
    # Where a name-shaped stretch and a postcode overlap ("Dr GIR" inside "GIR 0AA"), the finding
    # is named by the more specific kind, whatever the alphabet says.
    ("Dr GIR 0AA", POSTCODE),
    # A device label explains a number only within the 40 characters before it (a label further
    # off, past a run of spaces, belongs to another column of a pasted table).
    ("lot" + " " * 37 + "AB1234567", None),
    ("lot" + " " * 38 + "AB1234567", HOSPITAL_NUMBER),
]


@pytest.mark.parametrize(("text", "kind"), EDGES)
def test_each_edge_of_the_rules(text, kind):
    assert [finding.kind for finding in find_patient_identifiers(text)] == ([kind] if kind else [])


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("NHS 943 476 5919Mr Smith", [NHS_NUMBER, PERSON_NAME]),
        ("DOB 01/02/1950Mrs.Smith", [DATE_OF_BIRTH, PERSON_NAME]),
    ],
)
def test_identifiers_written_hard_against_each_other_are_each_found(text, kinds):
    """Findings that touch but do not overlap are two findings, each named by its own kind (the
    privacy scan reports every kind a column holds)."""
    assert [finding.kind for finding in find_patient_identifiers(text)] == kinds


@pytest.mark.parametrize(
    "digits",
    [
        "943476591",  # nine digits
        "94347659190",  # eleven
        "943476591a",  # ten characters, not all digits
        "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",  # Arabic-Indic digits
    ],
)
def test_only_ten_ascii_digits_can_be_a_valid_nhs_number(digits):
    assert nhs_number_is_valid("9434765919")  # the digits these are made from: valid
    assert not nhs_number_is_valid(digits)
