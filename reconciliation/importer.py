"""Reading a hospital's procedure list (CSV or XLSX) into entries, all or nothing (issue 16).

One row per operator of a procedure, as angio-suite and RIS exports print them: the columns are
``procedure_date``, ``accession_number`` (or ``event_id``), ``procedure_code``, ``operator_gmc``
and ``operator_role``. Rows that share an accession number are one procedure, with each row's
operator. Every problem in every row is collected with its spreadsheet row (the header is row 1)
and column, as the case import does (caselogs.importer); nothing is saved unless there is none.

The accession number is keyed the moment its cell is read (``privacy.accession``): the raw value
goes no further than the local variable that keys it. It is never shown back, not in an error
message, not in the error table (its value column is always blank), and never logged. Error
messages about it name the row, never the value. The upload is read from memory and not kept.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from accounts.models import gmc_number_validator
from privacy.accession import (
    AccessionKeyMissing,
    NotAnAccessionNumber,
    accession_digests,
    organisation_keys,
)
from privacy.identifiers import find_patient_identifiers

from .models import ListRole

MAX_BYTES = 8 * 1024 * 1024
MAX_ROWS = 60_000
VALUE_SHOWN_CHARS = 40
HIDDEN = "(hidden)"
WHOLE_ROW = ""
ACCESSION = "accession_number"
COLUMNS = ("procedure_date", ACCESSION, "procedure_code", "operator_gmc", "operator_role")
ALIASES = {"event_id": ACCESSION, "accession": ACCESSION, "accession_no": ACCESSION}
# What exports call each role, read case-insensitively; anything else is refused by row.
ROLE_WORDS = {
    "primary operator": ListRole.PRIMARY_OPERATOR,
    "primary_operator": ListRole.PRIMARY_OPERATOR,
    "operator": ListRole.PRIMARY_OPERATOR,
    "first operator": ListRole.PRIMARY_OPERATOR,
    "assistant": ListRole.ASSISTANT,
    "second operator": ListRole.ASSISTANT,
    "observer": ListRole.OBSERVER,
    "supervisor": ListRole.SUPERVISOR,
    "supervising consultant": ListRole.SUPERVISOR,
    "consultant": ListRole.SUPERVISOR,
}


class Refused(Exception):
    """The file as a whole cannot be taken; the message never quotes a cell."""


@dataclass(frozen=True)
class ListProblem:
    row: int | None
    column: str
    value: str
    message: str


@dataclass
class ReadEntry:
    """An entry as read: its first row, date, digests and code, and its operators."""

    row: int
    performed_on: date
    accession_key: str
    accession_key_previous: str
    procedure_code: str
    operators: dict[str, str] = field(default_factory=dict)  # GMC number -> ListRole


@dataclass
class ListReading:
    entries: list[ReadEntry] = field(default_factory=list)
    problems: list[ListProblem] = field(default_factory=list)
    rows_checked: int = 0


def _shown(column: str, raw: str) -> str:
    if column == ACCESSION or not raw:
        return ""
    if find_patient_identifiers(raw):
        return HIDDEN
    return raw if len(raw) <= VALUE_SHOWN_CHARS else raw[: VALUE_SHOWN_CHARS - 1] + "…"


def _problem(row: int | None, column: str, raw: str, message: str) -> ListProblem:
    return ListProblem(row, column, _shown(column, raw), message)


# --- The file -------------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_records(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(
            "The file is not CSV text in UTF-8: save it as “CSV UTF-8” or as an Excel workbook "
            "(.xlsx)."
        ) from None
    if "\x00" in text:
        raise Refused("The file is not CSV text: save it as CSV UTF-8 or .xlsx.")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        return [
            [cell.strip() for cell in record]
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error:
        raise Refused("The file cannot be read as CSV: check its quotes.") from None


def _xlsx_records(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise Refused("The file cannot be read as an Excel workbook (.xlsx).") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def file_format(upload: UploadedFile) -> str:
    name = (upload.name or "").lower()
    return "xlsx" if name.endswith(".xlsx") else "csv"


def _records(upload: UploadedFile) -> list[list[str]]:
    upload.seek(0)
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise Refused(f"The file is larger than {MAX_BYTES // 2**20} MB: split the period.")
    if file_format(upload) == "xlsx":
        return _xlsx_records(content)
    return _csv_records(content)


def _header(cells: list[str]) -> tuple[dict[str, int], list[ListProblem]]:
    positions: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(cells):
        name = cell.strip().casefold().replace(" ", "_")
        if not name:
            continue
        name = ALIASES.get(name, name)
        if name not in COLUMNS:
            problems.append(
                _problem(1, _shown("", cell.strip()), "", "Unknown column: leave it out.")
            )
        elif name in positions:
            problems.append(_problem(1, name, "", "This column appears twice."))
        else:
            positions[name] = index
    missing = [name for name in COLUMNS if name not in positions]
    if missing:
        problems.append(_problem(1, WHOLE_ROW, "", "Missing columns: " + ", ".join(missing) + "."))
    return positions, problems


# --- Cells ----------------------------------------------------------------------------------------


def _date(raw: str) -> date:
    for form in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, form).date()
        except ValueError:
            continue
    raise ValueError("Give the date as YYYY-MM-DD or DD/MM/YYYY.")


def _checked_date(raw: str, period: tuple[date, date]) -> date | str:
    """The date, or the problem with it in words."""
    try:
        day = _date(raw)
    except ValueError as error:
        return str(error)
    if not period[0] <= day <= period[1]:
        return (
            f"This date is outside the list's period ({period[0]:%d %b %Y} to "
            f"{period[1]:%d %b %Y})."
        )
    return day


def _code_problem(code: str) -> str:
    findings = find_patient_identifiers(code)
    if findings:
        return findings[0].message
    return "At most 40 characters." if len(code) > 40 else ""


def _gmc_valid(gmc: str) -> bool:
    try:
        gmc_number_validator(gmc)
    except ValidationError:
        return False
    return True


def _rows(records: list[list[str]], positions: dict[str, int]) -> Iterator[tuple[int, dict]]:
    for number, record in enumerate(records[1:], start=2):
        if not any(cell for cell in record):
            continue
        yield (
            number,
            {
                name: (record[index] if index < len(record) else "")
                for name, index in positions.items()
            },
        )


def procedure_list_read(
    *, upload: UploadedFile, organisation_id: int, period: tuple[date, date]
) -> ListReading:
    """Read and check a whole file; the entries (accession numbers already keyed) and every
    problem. Nothing here touches the database."""
    reading = ListReading()
    try:
        keys = organisation_keys(organisation_id)
        records = _records(upload)
        if not records or not any(records[0]):
            raise Refused("The file is empty.")
    except (Refused, AccessionKeyMissing) as refused:
        reading.problems.append(_problem(None, WHOLE_ROW, "", str(refused)))
        return reading
    positions, reading.problems = _header(records[0])
    if reading.problems:
        return reading
    by_key: dict[str, ReadEntry] = {}
    # A list repeats its dates, codes and people on every row: each distinct value is checked once.
    dates: dict[str, date | str] = {}
    code_findings: dict[str, str] = {}
    gmc_ok: dict[str, bool] = {}
    for number, cells in _rows(records, positions):
        reading.rows_checked += 1
        if reading.rows_checked > MAX_ROWS:
            reading.problems.append(
                _problem(None, WHOLE_ROW, "", f"More than {MAX_ROWS} rows: split the period.")
            )
            break
        problems, performed_on, digests = [], None, ("", "")
        raw_date = cells["procedure_date"]
        if raw_date not in dates:
            dates[raw_date] = _checked_date(raw_date, period)
        checked = dates[raw_date]
        if isinstance(checked, str):
            problems.append(_problem(number, "procedure_date", raw_date, checked))
        else:
            performed_on = checked
        try:
            digests = accession_digests(organisation_id, cells[ACCESSION], keys)
        except NotAnAccessionNumber as error:
            message = "Missing." if not cells[ACCESSION] else str(error)
            problems.append(_problem(number, ACCESSION, "", message))
        code = cells["procedure_code"]
        if code not in code_findings:
            code_findings[code] = _code_problem(code)
        if code_findings[code]:
            problems.append(_problem(number, "procedure_code", code, code_findings[code]))
        gmc = cells["operator_gmc"]
        if gmc not in gmc_ok:
            gmc_ok[gmc] = _gmc_valid(gmc)
        if not gmc_ok[gmc]:
            problems.append(_problem(number, "operator_gmc", gmc, "A GMC number is 7 digits."))
        role = ROLE_WORDS.get(" ".join(cells["operator_role"].casefold().split()))
        if role is None:
            problems.append(
                _problem(
                    number,
                    "operator_role",
                    cells["operator_role"],
                    "Unknown role: use primary operator, assistant, observer or supervisor.",
                )
            )
        if problems:
            reading.problems.extend(problems)
            continue
        assert performed_on is not None and role is not None
        entry = by_key.get(digests[0])
        if entry is None:
            by_key[digests[0]] = ReadEntry(
                number, performed_on, digests[0], digests[1], code, {gmc: role}
            )
            continue
        if entry.performed_on != performed_on or entry.procedure_code != code:
            reading.problems.append(
                _problem(
                    number,
                    ACCESSION,
                    "",
                    f"Same accession number as row {entry.row}, with another date or procedure "
                    "code: one procedure has one date and code.",
                )
            )
        elif gmc in entry.operators:
            reading.problems.append(
                _problem(
                    number,
                    "operator_gmc",
                    gmc,
                    f"This operator is already on this procedure (row {entry.row}).",
                )
            )
        else:
            entry.operators[gmc] = role
    if not reading.problems and not by_key:
        reading.problems.append(_problem(None, WHOLE_ROW, "", "The file has no procedures."))
    reading.entries = [] if reading.problems else list(by_key.values())
    return reading
