"""Import cases from a CSV file (SPEC 4.4): check the whole file, then save all of it or nothing.
Cells are converted in ``import_cells``; the template and the column guide are ``import_guide``.

Each row is converted column by column (the column names are the field names of
``CASE_INPUT_FIELDS``) and then checked by ``case_build``, the same rules as a case logged by hand,
identifier guard included. Every problem in every row is collected, with its spreadsheet row (the
header is row 1) and column. Only a file with no problem at all reaches ``case_save_many``.

Values are never evaluated: a cell that starts with "=" is text like any other. A refused value
that looks like a patient identifier is never shown back, not even in the error table.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError

from accounts.models import User
from agreements.selectors import active_version_for_trainee
from privacy.identifiers import find_patient_identifiers

from .import_cells import ImportContext, Refused, cell_date, cell_value
from .models import Case
from .services import CASE_INPUT_FIELDS, NoActiveAgreement, case_build, case_save_many

COLUMNS = CASE_INPUT_FIELDS
_COLUMN_ORDER = {name: index for index, name in enumerate(COLUMNS)}
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
VALUE_SHOWN_CHARS = 60
HIDDEN = "(hidden: looks like a patient identifier)"
WHOLE_ROW = ""
NO_AGREEMENT = (
    "You need an active training agreement before importing cases: ask your training lead."
)


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


# --- Showing a value back ------------------------------------------------------------------------


def _shown(name: str, raw: str) -> str:
    """The value as it may appear on the error page: never anything identifier-shaped (the case
    date, when it reads as a date, is the one column where a date is expected)."""
    if name == "performed_on":
        try:
            cell_date(raw)
            return raw
        except Refused:
            pass
    if find_patient_identifiers(raw):
        return HIDDEN
    if len(raw) > VALUE_SHOWN_CHARS:
        return raw[: VALUE_SHOWN_CHARS - 1] + "…"
    return raw


def _problem(row: int | None, column: str, raw: str, message: str) -> ImportProblem:
    shown = _shown(column, raw) if raw else ""
    quoted = "This value" if shown in ("", HIDDEN) else f"“{shown}”"
    return ImportProblem(
        row=row, column=column, value=shown, message=message.replace("{value}", quoted)
    )


# --- Reading the file ----------------------------------------------------------------------------


def _text(upload: UploadedFile) -> str:
    upload.seek(0)
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise Refused(
            f"The file is {upload.size / 2**20:.1f} MB; the import takes at most "  # type: ignore[operator]  # an upload has a size
            f"{MAX_BYTES // 2**20} MB ({MAX_ROWS} cases). Split it into smaller files."
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        raise Refused(
            "The file is not CSV text in UTF-8. In your spreadsheet, choose Save As, "
            "“CSV UTF-8 (comma delimited)”, and import that file."
        )
    return text


def _delimiter(text: str) -> str:
    """Comma, or the semicolon or tab some spreadsheets use: whichever splits the header into the
    most known column names."""
    first_line = text.split("\n", 1)[0]
    known = set(COLUMNS)

    def matches(delimiter: str) -> int:
        return sum(cell.strip().casefold() in known for cell in first_line.split(delimiter))

    return max((",", ";", "\t"), key=matches)


def _records(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as error:
        raise Refused(f"The file cannot be read as CSV ({error}).") from None


def _header_problems(header: list[str]) -> list[ImportProblem]:
    problems = []
    seen = set()
    for cell in header:
        name = cell.strip().casefold()
        if not name:
            continue
        shown = HIDDEN if find_patient_identifiers(cell) else cell.strip()[:VALUE_SHOWN_CHARS]
        if name not in COLUMNS:
            problems.append(
                _problem(1, shown, "", "Unknown column: the template has no column of this name.")
            )
        elif name in seen:
            problems.append(_problem(1, shown, "", "This column appears twice."))
        seen.add(name)
    missing = [name for name in COLUMNS if name not in seen]
    if missing:
        problems.append(
            _problem(
                1,
                WHOLE_ROW,
                "",
                "Missing columns: "
                + ", ".join(missing)
                + ". Start from the template, which has every column.",
            )
        )
    return problems


# --- Checking rows -------------------------------------------------------------------------------


def _check_row(
    number: int, cells: dict[str, str], trainee: User, context: ImportContext
) -> tuple[Case | None, list[ImportProblem]]:
    """The built case, or None, and the row's problems."""
    problems = []
    data = {}
    for name in COLUMNS:
        try:
            data[name] = cell_value(name, cells[name], context)
        except Refused as refused:
            problems.append(_problem(number, name, cells[name], str(refused)))
    refused_columns = {p.column for p in problems}
    try:
        case = case_build(
            trainee=trainee,
            data=data,
            version=context.version,
            existing_references=context.existing_references,
        )
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


def _rows(records: list[list[str]]) -> Iterator[tuple[int, dict[str, str] | None]]:
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
            yield number, {name: value for name, value in zip(names, values, strict=False) if name}


def _read(upload: UploadedFile) -> tuple[list[str], list]:
    """The header and the rows, or Refused when the file as a whole cannot be taken."""
    records = _records(_text(upload))
    if not records or not any(cell.strip() for cell in records[0]):
        raise Refused("The file is empty: start from the template.")
    rows = list(_rows(records))
    if not rows:
        raise Refused("The file has a header but no cases.")
    if len(rows) > MAX_ROWS:
        raise Refused(
            f"The file has {len(rows)} cases; the import takes at most {MAX_ROWS} at a time. "
            "Split it into smaller files."
        )
    return records[0], rows


def case_import_check(*, trainee: User, upload: UploadedFile) -> tuple[list[Case], ImportOutcome]:
    """Check a whole file: the cases ready to save, and every problem found."""
    version = active_version_for_trainee(trainee)
    try:
        if version is None:
            raise Refused(NO_AGREEMENT)
        header, rows = _read(upload)
    except Refused as refused:
        return [], ImportOutcome(problems=[_problem(None, WHOLE_ROW, "", str(refused))])
    outcome = ImportOutcome(problems=_header_problems(header))
    if outcome.problems:
        return [], outcome

    # Read once for the whole file, not once a row.
    context = ImportContext(
        version, set(Case.objects.filter(trainee=trainee).values_list("reference", flat=True))
    )
    cases = []
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        outcome.rows_checked += 1
        if cells is None:
            outcome.problems.append(
                _problem(
                    number,
                    WHOLE_ROW,
                    "",
                    "This row has a value outside the named columns: check for a comma or "
                    "semicolon inside a value that is not in quotes.",
                )
            )
            continue
        case, problems = _check_row(number, cells, trainee, context)
        reference = cells["reference"]
        if reference and not any(p.column == "reference" for p in problems):
            if reference in first_row_of:
                problems.append(
                    _problem(
                        number,
                        "reference",
                        reference,
                        f"Row {number} repeats the reference of row {first_row_of[reference]}: "
                        "each case needs its own reference.",
                    )
                )
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
        outcome.problems.append(
            _problem(
                None,
                WHOLE_ROW,
                "",
                "One of these references was saved in your logbook while the file was being "
                "checked. Nothing was imported: import the file again to see which.",
            )
        )
    return outcome
