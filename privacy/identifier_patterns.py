"""The patterns and word lists behind `privacy.identifiers`; the rules are documented there.

Every pattern runs on NFKC-normalised text. Patterns that need a second look (a check digit, a real
calendar date, a stop list, a lot-number label before the match) are finished in `identifiers.py`.
"""

import re

# --- NHS numbers -------------------------------------------------------------------------------

# Between the 3-3-4 groups: nothing, spaces, or one hyphen, dash, dot or slash with spaces around.
_NHS_SEPARATOR = r"(?:[ \t]*[-\u2010-\u2015./][ \t]*|[ \t]+)?"
NHS_NUMBER = re.compile(
    r"(?<!\d)(\d{3})" + _NHS_SEPARATOR + r"(\d{3})" + _NHS_SEPARATOR + r"(\d{4})(?!\d)", re.ASCII
)

# --- dates -------------------------------------------------------------------------------------

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_ANY_MONTH = _MONTH.replace("?P<month>", "")
_DAY = r"(?P<day>\d{1,2})(?!\d)(?:st|nd|rd|th)?"
_YEAR = r"'?(?P<year>\d{4}|\d{2})(?!\d)"
_GAP = r"[ \t]*[-/.,]?[ \t]*"

NUMERIC_DMY = re.compile(
    r"(?<!\d)(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)" + _YEAR, re.ASCII
)
NUMERIC_YMD = re.compile(
    r"(?<!\d)(?P<year>\d{4})(?P<sep>[/.-])(?P<a>\d{1,2})(?P=sep)(?P<b>\d{1,2})(?!\d)", re.ASCII
)
TEXT_DMY = re.compile(
    r"(?<!\d)" + _DAY + _GAP + r"(?:of[ \t]+)?" + _MONTH + _GAP + _YEAR, re.ASCII | re.IGNORECASE
)
TEXT_MDY = re.compile(r"\b" + _MONTH + _GAP + _DAY + _GAP + _YEAR, re.ASCII | re.IGNORECASE)

_DATE_LABEL = (
    r"(?:\bd\.?[ \t]?o\.?[ \t]?b(?![a-z])\.?|\bdate[ \t]+of[ \t]+birth|\bborn(?:[ \t]+(?:on|in))?"
    r"|(?<![a-z0-9])b\.)"
)
# After a label, the part of a date that follows is judged in code (`_is_date_part`): numbers in
# groups (12/03, 07/1938, 23 07 38, 230738), or these forms, which are refused as they stand.
LABELLED_DATE = re.compile(
    _DATE_LABEL
    + r"[ \t]*[:=\-]?[ \t]*(?:(?:is|was)[ \t]+)?(?:the[ \t]+)?(?:"
    + r"(?<!\d)\d{1,2}(?!\d)(?:st|nd|rd|th)?"
    + _GAP
    + r"(?:of[ \t]+)?"
    + _ANY_MONTH  # 12 March
    + r"|"
    + _ANY_MONTH
    + _GAP
    + r"\d{1,4}(?!\d)"  # March 12, March 1956
    + r"|'\d\d(?!\d)"  # '38
    + r"|(?P<numbers>(?<!\d)(?:\d{8}|\d{6}"
    + r"|\d{1,4}(?:[ \t]*[/.\-][ \t]*\d{1,4}|[ \t]+\d{1,4}){0,2}))(?!\d)"
    + r")",
    re.ASCII | re.IGNORECASE,
)

# --- postcodes ---------------------------------------------------------------------------------

_OUTWARD = (
    r"[A-PR-UWYZ]"  # first letter: not Q, V or X
    r"(?:[A-HK-Y]?\d\d?"  # A9, A99, AA9, AA99; second letter not I, J or Z
    r"|\d[A-HJKPSTUW]"  # A9A
    r"|[A-HK-Y]\d[ABEHMNPRVWXY])"  # AA9A
)
POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:(?P<outward>" + _OUTWARD + r")[ ]?\d(?P<letters>[ABD-HJLNP-UW-Z]{2})"
    r"|GIR[ ]?0AA)(?![A-Za-z0-9])",
    re.ASCII | re.IGNORECASE,
)
PASS_AFTER_ORDINAL = re.compile(r"[ \t]+(?:pass|attempt)(?:es|s)?\b", re.ASCII | re.IGNORECASE)

# --- names -------------------------------------------------------------------------------------

# A word in any alphabet: Brown, BROWN, O'Neill, Smith-Jones, Émile, or an initial (J). Whether it
# is capitalised, and so a name, is judged in code.
_NAME_WORD = r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*(?!\w)"
# Titles are matched in the case written: "MR angiography", "mRS" and "dr" are not titles.
TITLED_NAME = re.compile(
    r"(?<![A-Za-z])(?<![Nn]ear[ \-])(?:Mrs|Miss|Mr|Ms|Mx|Dr|Prof)(?![A-Za-z])(?:\.[ \t]*|[ \t]+)"
    r"(?P<name>" + _NAME_WORD + r")"
)
# "patient" or "pt", not straight after a digit ("3pt improvement" is three points).
PATIENT_NAME = re.compile(
    r"(?<![A-Za-z0-9])(?:[Pp]atient|PATIENT|[Pp]t)(?:['\u2019]s)?(?:[ \t]+(?:[Nn]ame|NAME))?"
    r"(?:[ \t]*:[ \t]*|[ \t]+)(?P<name>" + _NAME_WORD + r")"
)
# Abbreviations written with a trailing x: Hx, Dx, Rx, Sx, Tx, Mx, Fx, Ix, PMHx, DHx.
HISTORY_ABBREVIATION = re.compile(r"[A-Z]{1,4}x")

# English words that can follow a title or "patient" at a sentence break ("the on-call Dr. The
# team..."); never read as a name. Compared in lower case.
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "who",
        "with",
        "yes",
        "you",
        "your",
    ]
)
# Capitalised words that follow "patient" or "pt" in clinical writing and are not names. Compared
# in lower case. A name that is also a word here ("patient Will") is not caught.
CLINICAL_WORDS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mx",
        "miss",
        "dr",
        "prof",
        "name",
        "safety",
        "reported",
        "report",
        "reports",
        "experience",
        "experiences",
        "group",
        "groups",
        "direction",
        "directions",
        "pathway",
        "pathways",
        "transport",
        "advice",
        "liaison",
        "information",
        "info",
        "leaflet",
        "specific",
        "related",
        "centred",
        "centered",
        "led",
        "level",
        "initiated",
        "flow",
        "flows",
        "administration",
        "services",
        "service",
        "care",
        "choice",
        "choices",
        "selection",
        "outcome",
        "outcomes",
        "record",
        "records",
        "numbers",
        "population",
        "education",
        "consent",
        "consented",
        "details",
        "identifiable",
        "identification",
        "identifier",
        "identifiers",
        "list",
        "lists",
        "decision",
        "decisions",
        "involvement",
        "participation",
        "public",
        "panel",
        "partners",
        "representative",
        "representatives",
        "voice",
        "feedback",
        "survey",
        "surveys",
        "story",
        "stories",
        "transferred",
        "transfer",
        "admitted",
        "arrived",
        "discharged",
        "declined",
        "refused",
        "agreed",
        "improved",
        "deteriorated",
        "intubated",
        "extubated",
        "died",
        "survived",
        "remained",
        "remains",
        "stable",
        "well",
        "unwell",
        "alert",
        "awake",
        "drowsy",
        "sedated",
        "agitated",
        "confused",
        "aphasic",
        "dysphasic",
        "moving",
        "unable",
        "able",
        "seen",
        "reviewed",
        "examined",
        "assessed",
        "known",
        "previously",
        "lives",
        "independent",
        "dependent",
        "hb",
        "na",
        "cr",
        "ca",
        "mg",
        "ph",
        "sats",
        "temp",
        "weight",
        "wt",
        "bmi",
        "rhythm",
        "rate",
        "sinus",
        "anticoagulated",
        "respect",
        "bipap",
        "cpap",
        "aspirin",
        "clopidogrel",
        "ticagrelor",
        "prasugrel",
        "warfarin",
        "apixaban",
        "rivaroxaban",
        "edoxaban",
        "dabigatran",
        "heparin",
        "alteplase",
        "tenecteplase",
        "tirofiban",
        "eptifibatide",
        "abciximab",
    ]
)


# --- hospital numbers --------------------------------------------------------------------------

_HOSPITAL_LABEL = (
    r"(?:\bhosp(?:ital|\.)?[ \t]*(?:number\b|num\b\.?|no\b\.?|#)"
    r"|\bMRN\b|\bunit[ \t]+(?:number\b|no\b\.?)|\bK[ \t\-]?(?:number\b|no\b\.?)"
    r"|\bcase[ \t]*notes?[ \t]+(?:number\b|no\b\.?)|\bPAS[ \t]+(?:number\b|no\b\.?))"
)
LABELLED_HOSPITAL_NUMBER = re.compile(
    _HOSPITAL_LABEL
    + r"[ \t]*[:#=.\-]?[ \t]*(?:(?:is|was)[ \t]+)?"
    + r"(?P<number>(?:[A-Za-z]{1,4}[ \t\-]?)?\d+(?:[ \t\-/.]\d+)*[A-Za-z]?)(?![A-Za-z0-9])",
    re.ASCII | re.IGNORECASE,
)
# An NHS trust's ODS code (RXH, RR8, R0A) then the number: capitals only, and not REF.
TRUST_CODE_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])(?!REF)R[A-Z0-9][A-Z0-9][ \t]*[:\-]?[ \t]*\d{6,10}(?![A-Za-z0-9])", re.ASCII
)
# Letters then digits, as trusts write hospital numbers. Not one: a ClinicalTrials.gov id (NCT and
# 8 digits), or a device label printed against its number (LOT1234567, REF1234567, SN1234567).
HOSPITAL_NUMBER_SHAPE = re.compile(
    r"(?<![A-Za-z0-9])(?!NCT\d{8}(?!\d))(?!(?i:lot|ref|sn|cat|udi)\d)"
    r"[A-Za-z]{1,3}\d{6,10}(?![A-Za-z0-9])",
    re.ASCII,
)
# A device label straight before a number makes it a lot or catalogue number (searched up to the
# number's start, so "$" is the number's start).
DEVICE_LABEL_BEFORE = re.compile(
    r"(?:\b(?:lot|batch|ref|cat|catalogue|catalog|serial|SN|UDI|GTIN)s?|\bS/N"
    r"|\bpart[ \t]*(?=no\b|number)|\bproduct[ \t]*(?=code))"
    r"(?:[ \t]*\.?[ \t]*(?:no\b\.?|number|num\b\.?|code|#))?[ \t]*[:#=.\-]?[ \t]*$",
    re.ASCII | re.IGNORECASE,
)
