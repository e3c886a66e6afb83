"""The free-text guard refuses NHS numbers, dates and postcodes, and lets clinical shorthand pass.

Names and hospital numbers, the wider separators and the clinical corpus are tested in
tests/privacy/test_identifier_detection.py.

Hand-picked NHS numbers are in the 999 range, which is never issued to patients; the generated
ones are random digits, linked to nobody. Nothing here is real patient data.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from privacy.identifiers import (
    DATE_OF_BIRTH,
    NHS_NUMBER,
    PERSON_NAME,
    POSTCODE,
    find_patient_identifiers,
    reject_patient_identifiers,
)

PROPERTY = settings(max_examples=300)


def kinds(text):
    return [finding.kind for finding in find_patient_identifiers(text)]


def check_digit(first_nine):
    """DOMAIN.md: weights 10..2, 11 - (sum mod 11); 11 means 0; 10 means no valid number."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=False)
    )
    result = 11 - total % 11
    return 0 if result == 11 else result


def assert_message_hides(identifier, text):
    digits = "".join(char for char in identifier if char.isdigit())
    for finding in find_patient_identifiers(text):
        assert identifier.lower() not in finding.message.lower()
        if len(digits) >= 4:
            assert digits not in "".join(char for char in finding.message if char.isdigit())


# --- NHS numbers -------------------------------------------------------------------------------

VALID_NHS = ["9995908301", "9996613186", "9994628194", "9991471049", "9990000050"]  # last: 11 -> 0


@pytest.mark.parametrize("number", VALID_NHS)
@pytest.mark.parametrize(
    "written",
    [
        "{0}{1}{2}{3}{4}{5}{6}{7}{8}{9}",
        "{0}{1}{2} {3}{4}{5} {6}{7}{8}{9}",
        "{0}{1}{2}-{3}{4}{5}-{6}{7}{8}{9}",
        "{0}{1}{2}{3}{4}{5} {6}{7}{8}{9}",
        "{0}{1}{2}\u00a0{3}{4}{5}\u00a0{6}{7}{8}{9}",
    ],
)
@pytest.mark.parametrize(
    "around", ["{}", "Reflection: pt {} had a tandem lesion.", "NHS:{}", "(NHS no {})", "ref{}x"]
)
def test_nhs_numbers_are_refused_in_every_format(number, written, around):
    identifier = written.format(*number)
    text = around.format(identifier)

    assert kinds(text) == [NHS_NUMBER]
    assert_message_hides(identifier, text)


def test_full_width_digits_are_read_as_digits():
    assert kinds("".join(chr(0xFF10 + int(digit)) for digit in VALID_NHS[0])) == [NHS_NUMBER]


@pytest.mark.parametrize(
    "number",
    ["9995260181", "9990913909", "9999603082", "999 591 0000", "999 000 0003"],  # last: check 10
)
def test_ten_digits_failing_the_check_digit_are_accepted(number):
    assert kinds(f"Solitaire lot {number}, no device problem.") == []


@pytest.mark.parametrize(
    "text",
    [
        "1" + VALID_NHS[0],  # 11 digits
        VALID_NHS[0] + "12",  # 12 digits
        "12" + VALID_NHS[0],
        VALID_NHS[0][:9],  # 9 digits
    ],
)
def test_an_nhs_number_inside_a_longer_or_shorter_digit_run_is_not_one(text):
    assert kinds(f"Catalogue {text}") == []


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "12/03/1956",
        "12-03-1956",
        "12.03.1956",
        "1956-03-12",
        "1956/3/12",
        "1/3/56",
        "12/25/1956",  # month first
        "12 March 1956",
        "12th of March 1956",
        "12 Mar 56",
        "12-MAR-1956",
        "12Mar1956",
        "12 Mar '56",
        "March 12, 1956",
        "Sept 3 1956",
        "29/02/1956",
        "Procedure on 03/04/2024 went well",  # any full date: the case has its own date field
        "DOB 12/03",
        "D.O.B.: 12 March",
        "dob-1956",
        "Date of birth March 1956",
        "born 3rd May",
        "born in 1956",
        "born on March 3",
    ],
)
def test_dates_and_labelled_date_parts_are_refused(text):
    assert kinds(f"Notes: {text}.") == [DATE_OF_BIRTH]
    assert_message_hides(text, text)


@pytest.mark.parametrize("text", ["31/02/1956", "13/13/1956", "0/3/56", "12/03/195", "12/03/1700"])
def test_impossible_dates_are_not_dates(text):
    assert kinds(text) == []


# --- postcodes ---------------------------------------------------------------------------------

POSTCODES = ["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "W1A 0AX"]


@pytest.mark.parametrize("postcode", POSTCODES + ["GIR 0AA"])
@pytest.mark.parametrize("case", [str.upper, str.lower, str.title, str.capitalize])
@pytest.mark.parametrize("spacing", [" ", ""])
def test_postcodes_are_refused_in_any_case_with_or_without_the_space(postcode, case, spacing):
    written = case(postcode.replace(" ", spacing))
    text = f"Transferred from home ({written}), onset unknown."

    assert kinds(text) == [POSTCODE]
    assert_message_hides(written, text)


@pytest.mark.parametrize(
    "text",
    ["QA1 1AA", "VB1 1AA", "XC1 1AA", "AI1 1AA", "A1I 1AA", "AB1C 1AA", "SW1A 1CA", "M1 1AK"],
)
def test_letters_the_postcode_grammar_forbids_are_not_postcodes(text):
    assert kinds(text) == []


@pytest.mark.parametrize("text", ["M1 1ST", "B33 8th", "B33 8th passage", "M1 2nd, pass", "M1 6Fr"])
def test_ordinal_lookalikes_are_refused_unless_a_pass_follows(text):
    assert kinds(text) == [POSTCODE]


# --- clinical vocabulary -----------------------------------------------------------------------

CLINICAL = [
    "14:30",
    "45 min",
    "NIHSS 18",
    "mRS 0-2",
    "TICI 2b",
    "eTICI 2b50",
    "2b67",
    "ASPECTS 8/10",
    "3/4 passes",
    "2/3",
    "2024",
    "M1",
    "M2 occlusion",
    "ICA",
    "ICA-T",
    "T2 FLAIR",
    "A1 segment",
    "PH1",
    "HI2",
    "2b50",
    "M1 2nd pass",
    "M1 1st pass",
    "m2 3RD PASS",
    "M1 4th attempt",
    "M1 3mm",
    "P2 2cm",
    "T0 8am",
    "two M2 2nd passes",
    "door to puncture 62 min",
    "0.071 inch catheter",
    "tenecteplase 0.25 mg/kg",
]
# Accepted alone, but not in every combination: "12 March" before "2024" is a full date, and
# "6Fr" straight after "M1" reads as a postcode.
CLINICAL_ALONE = ["March 2024", "12 March", "born at term", "6Fr sheath", "Vecta 71, 8Fr BGC"]


@pytest.mark.parametrize("text", CLINICAL + CLINICAL_ALONE)
def test_clinical_vocabulary_is_accepted(text):
    assert kinds(text) == []
    reject_patient_identifiers(text)


# --- the validator -----------------------------------------------------------------------------


def test_the_validator_refuses_with_the_first_finding_and_a_stable_code():
    text = "Lives at SW1A 1AA, NHS 999 590 8301"

    with pytest.raises(ValidationError) as refused:
        reject_patient_identifiers(text)

    assert refused.value.code == "patient_identifier"
    assert refused.value.messages == [find_patient_identifiers(text)[0].message]
    assert "postcode" in refused.value.messages[0]
    assert "SW1A" not in refused.value.messages[0]


def test_every_finding_is_reported_in_reading_order():
    text = "NHS 999 590 8301, DOB 01/02/1950, SW1A 1AA"

    assert kinds(text) == [NHS_NUMBER, DATE_OF_BIRTH, POSTCODE]


@pytest.mark.parametrize("text", ["", "Uneventful M1 thrombectomy, TICI 3 on the first pass."])
def test_clean_text_passes_the_validator(text):
    reject_patient_identifiers(text)


# --- properties --------------------------------------------------------------------------------

SAFE_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ     .,;:!?()'\"-"
surrounding = st.text(alphabet=SAFE_ALPHABET, max_size=40)
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def embedded(prefix, identifier, suffix):
    return f"{prefix} {identifier} {suffix}"


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
nhs_layouts = st.sampled_from(["{}{}{}", "{} {} {}", "{}-{}-{}", "{}{} {}", "{} {}{}"])


@st.composite
def valid_nhs_numbers(draw):
    first_nine = draw(nine_digits)
    check = check_digit(first_nine)
    assume(check != 10)
    number = first_nine + str(check)
    return draw(nhs_layouts).format(number[:3], number[3:6], number[6:])


@PROPERTY
@given(valid_nhs_numbers(), surrounding, surrounding)
def test_any_valid_nhs_number_is_found(number, prefix, suffix):
    text = embedded(prefix, number, suffix)

    assert NHS_NUMBER in kinds(text)
    assert_message_hides(number, text)


@PROPERTY
@given(nine_digits, st.integers(0, 9), nhs_layouts, surrounding, surrounding)
def test_ten_digits_failing_the_check_are_never_refused(first_nine, last, layout, prefix, suffix):
    assume(check_digit(first_nine) != last)
    number = first_nine + str(last)
    text = embedded(prefix, layout.format(number[:3], number[3:6], number[6:]), suffix)

    # The random surroundings may themselves spell a name ("Mr Ab") or a label ("mrn"), which the
    # guard rightly refuses; the number must never be read as an NHS number, date or postcode.
    assert not {NHS_NUMBER, DATE_OF_BIRTH, POSTCODE} & set(kinds(text))


@PROPERTY
@given(valid_nhs_numbers(), st.text(alphabet="0123456789", min_size=1, max_size=3), st.booleans())
def test_a_valid_number_inside_a_longer_digit_run_is_not_an_nhs_number(number, extra, before):
    digits = number.replace(" ", "").replace("-", "")
    run = extra + digits if before else digits + extra

    assert NHS_NUMBER not in kinds(f"Lot {run}")


def date_formats(day):
    month = MONTHS[day.month - 1]
    return [
        f"{day:%d/%m/%Y}",
        f"{day:%d-%m-%Y}",
        f"{day:%d.%m.%Y}",
        f"{day:%Y-%m-%d}",
        f"{day.day}/{day.month}/{day:%y}",
        f"{day.day} {month} {day.year}",
        f"{day.day} {month[:3]} {day:%y}",
        f"{month} {day.day}, {day.year}",
        f"DOB {day.day} {month}",
        f"D.O.B. {day:%d/%m}",
        f"date of birth: {month} {day.year}",
        f"born {day.year}",
    ]


@PROPERTY
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date.today()),
    st.integers(0, len(date_formats(date.today())) - 1),
    st.sampled_from([str, str.upper, str.lower]),
    surrounding,
    surrounding,
)
def test_any_date_of_birth_is_found(day, layout, case, prefix, suffix):
    written = case(date_formats(day)[layout])
    text = embedded(prefix, written, suffix)

    assert DATE_OF_BIRTH in kinds(text)
    assert_message_hides(written, text)


FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # not Q, V, X
SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # not I, J, Z
THIRD_A9A = "ABCDEFGHJKPSTUW"
FOURTH_AA9A = "ABEHMNPRVWXY"
INWARD = "ABDEFGHJLNPQRSTUWXYZ"  # not C, I, K, M, O, V
letter = st.sampled_from
digit = st.sampled_from("0123456789")


@st.composite
def postcodes(draw):
    shape = draw(st.sampled_from(["A9", "A99", "AA9", "AA99", "A9A", "AA9A"]))
    outward = draw(letter(FIRST))
    if shape.startswith("AA"):
        outward += draw(letter(SECOND))
    outward += draw(digit)
    if shape in ("A99", "AA99"):
        outward += draw(digit)
    elif shape == "A9A":
        outward += draw(letter(THIRD_A9A))
    elif shape == "AA9A":
        outward += draw(letter(FOURTH_AA9A))
    inward = draw(digit) + draw(letter(INWARD)) + draw(letter(INWARD))
    written = outward + draw(st.sampled_from([" ", ""])) + inward
    return draw(st.sampled_from([str.upper, str.lower]))(written)


@PROPERTY
@given(postcodes(), surrounding, surrounding)
def test_any_postcode_is_found(postcode, prefix, suffix):
    text = embedded(prefix, postcode, suffix)

    assert POSTCODE in kinds(text)
    assert_message_hides(postcode, text)


clinical_phrase = st.one_of(
    st.sampled_from(CLINICAL),
    st.integers(0, 42).map("NIHSS {}".format),
    st.integers(0, 10).map("ASPECTS {}/10".format),
    st.tuples(st.integers(0, 5), st.integers(0, 6)).map(lambda pair: "mRS {}-{}".format(*pair)),
    st.tuples(st.integers(1, 9), st.integers(1, 9)).map(lambda pair: "{}/{} passes".format(*pair)),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda hm: "{:02}:{:02}".format(*hm)),
    st.integers(1, 600).map("{} min".format),
    st.integers(1990, 2099).map(str),
    st.sampled_from(["0", "1", "2a", "2b50", "2b67", "2c", "3"]).map("eTICI {}".format),
    st.sampled_from(["ICA", "ICA-T", "M1", "M2", "M3", "ACA", "PCA", "basilar"]).map(
        "{} occlusion".format
    ),
    st.sampled_from(["HI1", "HI2", "PH1", "PH2", "1a", "1b", "3c"]).map("Heidelberg {}".format),
)


@PROPERTY
@given(st.lists(st.tuples(clinical_phrase, st.sampled_from([" ", ", ", "; ", ". "])), max_size=12))
def test_clinical_phrases_are_never_refused(parts):
    text = "".join(phrase + separator for phrase, separator in parts)

    assert kinds(text) == []


@PROPERTY
@given(st.text(alphabet=st.characters(categories=["L", "P", "Zs"])))
def test_text_without_digits_is_refused_only_for_a_name(text):
    # Names have no digits ("Dr Shah"): tests/privacy/test_identifier_detection.py covers them.
    assert set(kinds(text)) <= {PERSON_NAME}
