"""Import cases from a CSV file (SPEC 4.4): check the whole file, then save all of it or nothing.

Each row is converted column by column (the column names are the field names of
``CASE_INPUT_FIELDS``) and then checked by ``case_build``, the same rules as a case logged by hand,
identifier guard included. Every problem in every row is collected, with its spreadsheet row (the
header is row 1) and column. Only a file with no problem at all reaches ``case_save_many``.

Values are never evaluated: a cell that starts with "=" is text like any other. A refused value
that looks like a patient identifier is never shown back, not even in the error table.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models

from accounts.models import Site, User
from agreements.selectors import active_version_for_trainee, named_supervisors

from . import choices as c
from .identifiers import find_patient_identifiers
from .models import INTERVAL_LIMITS, Case
from .services import CASE_INPUT_FIELDS, NoActiveAgreement, case_build, case_save_many

COLUMNS = CASE_INPUT_FIELDS
_COLUMN_ORDER = {name: index for index, name in enumerate(COLUMNS)}
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MULTI_SEPARATOR = ";"
VALUE_SHOWN_CHARS = 60
HIDDEN = "(hidden: looks like a patient identifier)"
WHOLE_ROW = ""
NO_AGREEMENT = "You need an active training agreement before importing cases: ask your training lead."

_MULTI_CHOICES = {"imaging": c.Imaging, "complications": c.Complication}
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_OUT_OF_HOURS = {"out of hours": True, "ooh": True, "in hours": False}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_GUIDE_NOTES = {
    "reference": "Your own reference, unique in your logbook. Never a hospital or NHS number.",
    "final_etici": "Required for a mechanical thrombectomy.",
    "passes": "Required for a mechanical thrombectomy (0 if no pass was made).",
}


@dataclass(frozen=True)
class ImportProblem:
    """One problem: `row` as a spreadsheet numbers it (None for the file as a whole), the column
    (WHOLE_ROW when it concerns the row), the value as safe to show, and the message."""

    row: int | None
    column: str
    value: str
    message: str


@dataclass
class ImportOutcome:
    problems: list[ImportProblem] = field(default_factory=list)
    saved: list[Case] = field(default_factory=list)
    rows_checked: int = 0

    @property
    def rows_with_problems(self) -> int:
        return len({p.row for p in self.problems if p.row and p.row > 1})


class _Refused(Exception):
    """A cell that cannot be converted. "{value}" in the message becomes the value, if showable."""


@dataclass(frozen=True)
class ColumnGuide:
    name: str
    label: str
    required: bool
    accepts: str
    choices: list[tuple[str, str]]


# --- Converting one cell -------------------------------------------------------------------------


def _whole_number(raw: str) -> int:
    if not re.fullmatch(r"[+-]?\d{1,9}", raw):
        raise _Refused("{value} is not a whole number.")
    return int(raw)


def _date(raw: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise _Refused("{value} is not a date: write it as yyyy-mm-dd (or dd/mm/yyyy).")


def _yes_no(raw: str) -> bool:
    word = raw.casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _Refused("{value} is not yes or no.")


def _out_of_hours(raw: str) -> bool:
    word = " ".join(raw.casefold().replace("-", " ").split())
    if word in _OUT_OF_HOURS:
        return _OUT_OF_HOURS[word]
    try:
        return _yes_no(raw)
    except _Refused:
        raise _Refused("{value} is not “in hours” or “out of hours”.") from None


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {str(label).casefold(): value for value, label in choices}
    lookup.update({value.casefold(): value for value, _ in choices})
    return lookup


def _choice(raw: str, choices) -> str:
    value = _choice_lookup(choices).get(raw.casefold())
    if value is None:
        codes = ", ".join(value for value, _ in choices)
        raise _Refused(f"{{value}} is not one of: {codes}.")
    return value


def _many_choices(raw: str, choices) -> list[str]:
    values = []
    for part in raw.split(MULTI_SEPARATOR):
        if part.strip():
            value = _choice(part.strip(), choices)
            if value not in values:
                values.append(value)
    return values


def _name_key(text: str) -> str:
    return " ".join(text.casefold().split())


class _Context:
    """What a file is checked against: the trainee's agreement, its sites and supervisors."""

    def __init__(self, version, existing_references=None):
        self.version = version
        self.existing_references = existing_references
        sites = list(
            Site.objects.filter(organisation__in=[version.employer_id, version.training_centre_id])
            .select_related("organisation")
            .order_by("name")
        )
        self.site_names = [site.name for site in sites]
        self.sites: dict[str, list[Site]] = {}
        for site in sites:
            for key in (site.name, f"{site.name} ({site.organisation.name})"):
                self.sites.setdefault(_name_key(key), []).append(site)
        self.supervisors = sorted(named_supervisors(version), key=lambda user: user.full_name)
        self.supervisor_keys: dict[str, User] = {}
        for user in self.supervisors:
            self.supervisor_keys[user.email.casefold()] = user
            if user.gmc_number:
                self.supervisor_keys[user.gmc_number] = user

    def site(self, raw: str) -> Site:
        found = self.sites.get(_name_key(raw), [])
        if len(found) > 1:
            raise _Refused(
                "Two sites are called {value}: add the organisation in brackets, "
                "for example “Site name (Organisation name)”."
            )
        if not found:
            raise _Refused(
                "No site called {value} at your employer or training centre. Use one of: "
                + "; ".join(self.site_names) + "."
            )
        return found[0]

    def supervisor(self, raw: str) -> User:
        user = self.supervisor_keys.get(raw.casefold())
        if user is None:
            names = "; ".join(f"{u.full_name} ({u.email})" for u in self.supervisors)
            raise _Refused(
                "{value} is not the e-mail address or GMC number of a supervisor named on your "
                f"training agreement: {names}."
            )
        return user


def _convert(name: str, raw: str, context: _Context):
    """The Python value for one cell; blank cells give the field's empty value."""
    model_field = Case._meta.get_field(name)
    if not raw:
        if _is_required(model_field):
            raise _Refused("This column is required.")
        return _empty_value(model_field)
    if name == "site":
        return context.site(raw)
    if name == "supervisor":
        return context.supervisor(raw)
    if name == "out_of_hours":
        return _out_of_hours(raw)
    if name in _MULTI_CHOICES:
        return _many_choices(raw, _MULTI_CHOICES[name].choices)
    if isinstance(model_field, models.BooleanField):
        return _yes_no(raw)
    if isinstance(model_field, models.DateField):
        return _date(raw)
    if isinstance(model_field, models.IntegerField):
        return _whole_number(raw)
    if model_field.choices:
        return _choice(raw, model_field.choices)
    return raw


def _is_required(model_field) -> bool:
    return not model_field.blank and not model_field.has_default()


def _empty_value(model_field):
    if model_field.name in _MULTI_CHOICES:
        return []
    if isinstance(model_field, models.BooleanField):
        return None if model_field.null else False
    if model_field.null:
        return None
    return ""


# --- Showing a value back ------------------------------------------------------------------------


def _shown(name: str, raw: str) -> str:
    """The value as it may appear on the error page: never anything identifier-shaped (the case
    date, when it reads as a date, is the one column where a date is expected)."""
    if name == "performed_on":
        try:
            _date(raw)
            return raw
        except _Refused:
            pass
    if find_patient_identifiers(raw):
        return HIDDEN
    if len(raw) > VALUE_SHOWN_CHARS:
        return raw[: VALUE_SHOWN_CHARS - 1] + "…"
    return raw


def _problem(row: int | None, column: str, raw: str, message: str) -> ImportProblem:
    shown = _shown(column, raw) if raw else ""
    quoted = "This value" if shown in ("", HIDDEN) else f"“{shown}”"
    return ImportProblem(row=row, column=column, value=shown, message=message.replace("{value}", quoted))


# --- Reading the file ----------------------------------------------------------------------------


def _text(upload: UploadedFile) -> str:
    upload.seek(0)
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise _Refused(
            f"The file is {upload.size / 2**20:.1f} MB; the import takes at most "
            f"{MAX_BYTES // 2**20} MB ({MAX_ROWS} cases). Split it into smaller files."
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        raise _Refused(
            "The file is not CSV text in UTF-8. In your spreadsheet, choose Save As, "
            "“CSV UTF-8 (comma delimited)”, and import that file."
        )
    return text


def _delimiter(text: str) -> str:
    """Comma, or the semicolon or tab some spreadsheets use: whichever splits the header into the
    most known column names."""
    first_line = text.split("\n", 1)[0]
    known = set(COLUMNS)

    def matches(delimiter):
        return sum(cell.strip().casefold() in known for cell in first_line.split(delimiter))

    return max((",", ";", "\t"), key=matches)


def _records(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as error:
        raise _Refused(f"The file cannot be read as CSV ({error}).") from None


def _header_problems(header: list[str]) -> list[ImportProblem]:
    problems = []
    seen = set()
    for cell in header:
        name = cell.strip().casefold()
        if not name:
            continue
        shown = HIDDEN if find_patient_identifiers(cell) else cell.strip()[:VALUE_SHOWN_CHARS]
        if name not in COLUMNS:
            problems.append(_problem(1, shown, "", "Unknown column: the template has no column of this name."))
        elif name in seen:
            problems.append(_problem(1, shown, "", "This column appears twice."))
        seen.add(name)
    missing = [name for name in COLUMNS if name not in seen]
    if missing:
        problems.append(
            _problem(1, WHOLE_ROW, "", "Missing columns: " + ", ".join(missing)
                     + ". Start from the template, which has every column.")
        )
    return problems


# --- Checking rows -------------------------------------------------------------------------------


def _check_row(number: int, cells: dict[str, str], trainee: User, context: _Context):
    """The built case, or None, and the row's problems."""
    problems = []
    data = {}
    for name in COLUMNS:
        try:
            data[name] = _convert(name, cells[name], context)
        except _Refused as refused:
            problems.append(_problem(number, name, cells[name], str(refused)))
    refused_columns = {p.column for p in problems}
    try:
        case = case_build(trainee=trainee, data=data, version=context.version,
                          existing_references=context.existing_references)
    except NoActiveAgreement:
        raise  # the agreement ended mid-check: the whole file is refused, not this row
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = name if name in COLUMNS else WHOLE_ROW
            if column not in refused_columns:
                problems.append(_problem(number, column, cells.get(column, ""), messages[0]))
        case = None
    problems.sort(key=lambda p: _COLUMN_ORDER.get(p.column, -1))
    return (None if problems else case), problems


def _rows(records: list[list[str]]):
    """(spreadsheet row number, cells by column, or None if cells lie outside the named columns)
    for each row that is not blank."""
    names = [cell.strip().casefold() for cell in records[0]]
    for number, record in enumerate(records[1:], start=2):
        values = [value.strip() for value in record]
        if not any(values):
            continue
        values += [""] * (len(names) - len(values))
        if any(value for i, value in enumerate(values) if i >= len(names) or not names[i]):
            yield number, None
        else:
            yield number, {name: value for name, value in zip(names, values) if name}


def _read(upload: UploadedFile) -> tuple[list[str], list]:
    """The header and the rows, or _Refused when the file as a whole cannot be taken."""
    records = _records(_text(upload))
    if not records or not any(cell.strip() for cell in records[0]):
        raise _Refused("The file is empty: start from the template.")
    rows = list(_rows(records))
    if not rows:
        raise _Refused("The file has a header but no cases.")
    if len(rows) > MAX_ROWS:
        raise _Refused(
            f"The file has {len(rows)} cases; the import takes at most {MAX_ROWS} at a time. "
            "Split it into smaller files."
        )
    return records[0], rows


def case_import_check(*, trainee: User, upload: UploadedFile) -> tuple[list[Case], ImportOutcome]:
    """Check a whole file: the cases ready to save, and every problem found."""
    version = active_version_for_trainee(trainee)
    try:
        if version is None:
            raise _Refused(NO_AGREEMENT)
        header, rows = _read(upload)
    except _Refused as refused:
        return [], ImportOutcome(problems=[_problem(None, WHOLE_ROW, "", str(refused))])
    outcome = ImportOutcome(problems=_header_problems(header))
    if outcome.problems:
        return [], outcome

    # Read once for the whole file, not once a row.
    context = _Context(version, set(
        Case.objects.filter(trainee=trainee).values_list("reference", flat=True)))
    cases = []
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        outcome.rows_checked += 1
        if cells is None:
            outcome.problems.append(_problem(
                number, WHOLE_ROW, "",
                "This row has a value outside the named columns: check for a comma or "
                "semicolon inside a value that is not in quotes.",
            ))
            continue
        case, problems = _check_row(number, cells, trainee, context)
        reference = cells["reference"]
        if reference and not any(p.column == "reference" for p in problems):
            if reference in first_row_of:
                problems.append(_problem(
                    number, "reference", reference,
                    f"Row {number} repeats the reference of row {first_row_of[reference]}: "
                    "each case needs its own reference.",
                ))
                case = None
            else:
                first_row_of[reference] = number
        outcome.problems.extend(problems)
        if case is not None:
            cases.append(case)
    return cases, outcome


def case_import(*, trainee: User, upload: UploadedFile) -> ImportOutcome:
    """Check the whole file; save every case only if no row has a problem."""
    try:
        cases, outcome = case_import_check(trainee=trainee, upload=upload)
    except NoActiveAgreement as error:
        return ImportOutcome(problems=[_problem(None, WHOLE_ROW, "", error.messages[0])])
    if outcome.problems:
        return outcome
    try:
        outcome.saved = case_save_many(trainee=trainee, cases=cases)
    except IntegrityError:
        # Another import or entry saved one of these references after the check: nothing here
        # was saved (the service is atomic), and checking again names the row.
        outcome.problems.append(_problem(
            None, WHOLE_ROW, "",
            "One of these references was saved in your logbook while the file was being "
            "checked. Nothing was imported: import the file again to see which.",
        ))
    return outcome


# --- The template and its guide ------------------------------------------------------------------


def template_csv() -> str:
    """The header row, with a byte-order mark so spreadsheets open it as UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(COLUMNS)
    return "\ufeff" + buffer.getvalue()


def _range(model_field) -> str:
    low = next((v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)), 0)
    high = next((v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)), None)
    if model_field.name in INTERVAL_LIMITS:
        return f"Minutes, a whole number from 0 to {INTERVAL_LIMITS[model_field.name][0]}."
    return f"A whole number from {low} to {high}." if high is not None else "A whole number."


def _accepts(model_field, context: _Context) -> tuple[str, list[tuple[str, str]]]:
    name = model_field.name
    if name == "site":
        return "The site's name: one of " + "; ".join(context.site_names) + ".", []
    if name == "supervisor":
        people = "; ".join(f"{u.full_name}: {u.email}" for u in context.supervisors)
        return f"The supervisor's e-mail address or GMC number: {people}.", []
    if name == "out_of_hours":
        return "“in hours” or “out of hours” (or yes/no). Blank means in hours.", []
    if name in _MULTI_CHOICES:
        return (f"Any of these codes, separated by “{MULTI_SEPARATOR}”. Blank means none.",
                list(_MULTI_CHOICES[name].choices))
    if isinstance(model_field, models.BooleanField):
        blank = "not recorded" if model_field.null else "no"
        return f"yes or no (also true/false, 1/0). Blank means {blank}.", []
    if isinstance(model_field, models.DateField):
        return "A date: yyyy-mm-dd (or dd/mm/yyyy). Not in the future.", []
    if isinstance(model_field, models.IntegerField):
        return _range(model_field), []
    if model_field.choices:
        return "One of these codes.", [(v, str(label)) for v, label in model_field.choices]
    limit = f" At most {model_field.max_length} characters." if model_field.max_length else ""
    return "Free text. No patient identifiers: they are refused." + limit, []


def column_guide(version) -> list[ColumnGuide]:
    """Each column, whether it is required, and what it takes, for the import page."""
    context = _Context(version)
    guide = []
    for name in COLUMNS:
        model_field = Case._meta.get_field(name)
        accepts, choices = _accepts(model_field, context)
        note = _GUIDE_NOTES.get(name)
        guide.append(ColumnGuide(
            name=name,
            label=str(model_field.verbose_name),
            required=_is_required(model_field),
            accepts=f"{accepts} {note}" if note else accepts,
            choices=choices,
        ))
    return guide
