"""Exports of cases, activities and assessments (SPEC section 7), as CSV or Excel (XLSX).

Scope: rows always start from the logbook's selectors (``case_list_for_user`` and its siblings),
so a trainee exports only their own records, a supervisor those of trainees whose agreement names
them, directors and governance leads their organisations', administrators all. The filters only
narrow that scope; a filter value outside it is a form error, never a wider export.

Filters: organisation (the agreement's employer or training centre, on any of its versions), site
(the case's; an assessment's linked case; activities have none), trainee, phase and dates. Phase is
the phase the trainee was in **on the record's date**, from the agreement's ``PhaseRecord``s: a
record counts from ``started_on`` up to, not including, ``ended_on``, so a case on the day of a
move belongs to the new phase (as the criteria count it). Records before phase 1 have no phase.

Pseudonymous: no person's name or e-mail is written. Trainees appear as "T-" and supervisors or
assessors as "S-" and eight hex digits of an HMAC-SHA256 keyed with ``SECRET_KEY`` over the role
and the user id: stable across exports (so periods can be compared) and not reversible without
the key; rotating ``SECRET_KEY`` changes every pseudonym. The trainee's own case reference is
included: it is not a patient identifier (the identifier guard refuses those), the trainee needs it
to recognise their cases, and it is linkable to the trainee only by people who can already see the
logbook. A supervisor never sees the trainee's entry of role and supervision on a case waiting for
their own verification (the blind rule of the logbook): those cells are left empty.

Cells: codes as in the CSV import (``caselogs.importer``), lists joined with ";", booleans as
"yes"/"no", empty when not recorded. Any text cell that starts with = + - @, a tab or a carriage
return is prefixed with "'" so no spreadsheet runs it as a formula; real numbers stay numbers.

Memory: the CSV is a generator over ``QuerySet.iterator(chunk_size=...)`` written one row at a
time. On PostgreSQL the database writes each case's CSV line (``exports_sql``; free text is always
quoted there) and Python only puts the pseudonyms in: a million cases stream in under a minute.
The XLSX uses openpyxl's write-only workbook (each sheet streams its rows to a temporary file)
saved to an anonymous temporary file that the response then streams: memory stays flat, the
disk holds the file until the response closes it.

Audit: each download is an ``export.downloaded`` event with the dataset, format, filters (ids and
dates), the exporter's scope and the number of rows. An XLSX is recorded before it is sent. A CSV's
row count is known only when the stream ends, so its event is recorded then, in its own
transaction; a stream cut short (the client went away) is recorded with ``complete: false`` and
the rows sent so far.
"""

import csv
import hmac
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from hashlib import sha256
from typing import IO, Any

from django.conf import settings
from django.db import connection, connections
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from accounts.models import Organisation, Role, User
from accounts.selectors import membership_list_active_for_user, user_is_administrator
from agreements.models import AgreementVersion
from audit.context import current_request_id
from audit.services import audit_event_record
from caselogs import choices as c
from caselogs.import_cells import MULTI_SEPARATOR
from caselogs.models import Case
from caselogs.selectors import (
    activity_list_for_user,
    assessment_list_for_user,
    case_list_for_user,
    with_verified_view,
)
from caselogs.services import CASE_INPUT_FIELDS
from phases.models import PhaseRecord

from .exports_sql import case_lines_sql

CHUNK_SIZE = 2000
LINES_PER_BLOCK = 100
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TRAINEE, SUPERVISOR = "T", "S"
DATASETS = {"cases": "Cases", "activities": "Activities", "assessments": "Assessments"}
FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)"}
DATE_FIELDS = {"cases": "performed_on", "activities": "happened_on", "assessments": "assessed_on"}
# The trainee's own entry, hidden from the supervisor until they record their view.
BLIND_FIELDS = frozenset({"trainee_role", "supervision_mode"})


def pseudonym(kind: str, user_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{user_id}".encode(), sha256)
    return f"{kind}-{digest.hexdigest()[:8]}"


def escape_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def filters_for_audit(filters: dict) -> dict:
    """Ids, numbers and ISO dates: what was asked for, without names."""
    return {
        name: value.pk
        if hasattr(value, "pk")
        else value.isoformat()
        if isinstance(value, date)
        else value
        for name, value in filters.items()
    }


# Rows ------------------------------------------------------------------------------------------


def _phase_on(date_field: str) -> Subquery:
    day = OuterRef(date_field)
    records = PhaseRecord.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day),
        agreement=OuterRef("agreement"),
        started_on__lte=day,
    )
    return Subquery(records.order_by("-started_on", "-pk").values("phase")[:1])


def _in_organisation(organisation: Organisation) -> Q:
    versions = AgreementVersion.objects.filter(
        Q(employer=organisation) | Q(training_centre=organisation)
    )
    return Q(agreement__in=versions.values("agreement"))


def export_queryset(*, user: User, dataset: str, filters: dict) -> QuerySet:
    """The rows the user may export, narrowed by the filters, oldest first."""
    date_field = DATE_FIELDS[dataset]
    rows: QuerySet[Any]
    if dataset == "cases":
        # The selectors' own joins fetch whole user rows; an export needs only the ids.
        rows = with_verified_view(case_list_for_user(user=user)).select_related(None)
        rows = rows.select_related("site__organisation")
    elif dataset == "activities":
        rows = activity_list_for_user(user=user).select_related(None)
    else:
        rows = (
            assessment_list_for_user(user=user)
            .select_related(None)
            .annotate(case_reference=F("case__reference"))
        )
    rows = rows.annotate(phase_on_date=_phase_on(date_field))
    if "organisation" in filters:
        rows = rows.filter(_in_organisation(filters["organisation"]))
    if "site" in filters:
        rows = rows.filter(**{"site" if dataset == "cases" else "case__site": filters["site"]})
    if "trainee" in filters:
        rows = rows.filter(trainee=filters["trainee"])
    if "phase" in filters:
        rows = rows.filter(phase_on_date=filters["phase"])
    if "date_from" in filters:
        rows = rows.filter(**{f"{date_field}__gte": filters["date_from"]})
    if "date_to" in filters:
        rows = rows.filter(**{f"{date_field}__lte": filters["date_to"]})
    return rows.order_by(date_field, "pk")


def _case_header() -> list[str]:
    header = ["trainee", "phase_on_date"]
    for name in CASE_INPUT_FIELDS:
        header += ["site", "site_organisation"] if name == "site" else [name]
    return header + [
        "mtici",
        "successful_reperfusion",
        "excellent_reperfusion",
        "first_pass_effect",
        "verification_status",
        "revision",
        "supervisor_view_of_role",
        "supervisor_view_of_mode",
    ]


def _case_row(case: Any, exporter: User) -> list:
    hidden = case.supervisor_id == exporter.pk and case.status == c.VerificationStatus.SUBMITTED
    row = [pseudonym(TRAINEE, case.trainee_id), case.phase_on_date]
    for name in CASE_INPUT_FIELDS:
        if name == "site":
            row += [case.site.name, case.site.organisation.name]
        elif name == "supervisor":
            row.append(pseudonym(SUPERVISOR, case.supervisor_id))
        else:
            row.append(None if hidden and name in BLIND_FIELDS else getattr(case, name))
    return row + [
        case.mtici,
        case.successful_reperfusion,
        case.excellent_reperfusion,
        case.first_pass_effect,
        case.status,
        case.revision,
        case.verified_role,
        case.verified_mode,
    ]


ACTIVITY_HEADER = [
    "trainee",
    "phase_on_date",
    "kind",
    "happened_on",
    "hours",
    "notes",
    "supervisor",
    "confirmation_status",
    "supervisor_comment",
    "decided_on",
]


def _activity_row(activity: Any, exporter: User) -> list:
    return [
        pseudonym(TRAINEE, activity.trainee_id),
        activity.phase_on_date,
        activity.kind,
        activity.happened_on,
        activity.hours,
        activity.notes,
        pseudonym(SUPERVISOR, activity.supervisor_id),
        activity.status,
        activity.supervisor_comment,
        activity.decided_at.date() if activity.decided_at else None,
    ]


ASSESSMENT_HEADER = [
    "trainee",
    "phase_on_date",
    "kind",
    "assessed_on",
    "assessor",
    "entrustment",
    "case_reference",
    "strengths",
    "development_points",
]


def _assessment_row(assessment: Any, exporter: User) -> list:
    return [
        pseudonym(TRAINEE, assessment.trainee_id),
        assessment.phase_on_date,
        assessment.kind,
        assessment.assessed_on,
        pseudonym(SUPERVISOR, assessment.assessor_id),
        assessment.entrustment,
        assessment.case_reference,
        assessment.strengths,
        assessment.development_points,
    ]


_LAYOUT = {
    "cases": (_case_header, _case_row),
    "activities": (lambda: ACTIVITY_HEADER, _activity_row),
    "assessments": (lambda: ASSESSMENT_HEADER, _assessment_row),
}


def _plain(value: Any) -> Any:
    """A cell's value: text, a number, a date, or None when not recorded."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return MULTI_SEPARATOR.join(str(item) for item in value) or None
    if isinstance(value, (int, Decimal, date)):
        return value
    return str(value)


def export_rows(*, user: User, dataset: str, filters: dict) -> tuple[list[str], Iterator[list]]:
    """The header, and each row as plain values, read in chunks (never the whole queryset)."""
    header, row = _LAYOUT[dataset]
    queryset = export_queryset(user=user, dataset=dataset, filters=filters)
    rows = ([_plain(v) for v in row(obj, user)] for obj in queryset.iterator(chunk_size=CHUNK_SIZE))
    return header(), rows


# Audit -----------------------------------------------------------------------------------------


def _scope(user: User) -> dict:
    if user_is_administrator(user):
        return {"all": True}
    memberships = membership_list_active_for_user(user)
    return {
        "roles": sorted({m.role for m in memberships}),
        "organisations": sorted({m.organisation_id for m in memberships}),
        "own_only": not {m.role for m in memberships} - {Role.TRAINEE, Role.SUPERVISOR},
    }


def export_record(
    *, user: User, dataset: str, fmt: str, filters: dict, rows: int, complete: bool = True
) -> None:
    audit_event_record(
        actor=user,
        verb="export.downloaded",
        summary=f"{DATASETS[dataset]} exported as {FORMATS[fmt]}: {rows} rows"
        + ("" if complete else " (download interrupted)"),
        data={
            "dataset": dataset,
            "format": fmt,
            "filters": filters_for_audit(filters),
            "scope": _scope(user),
            "rows": rows,
            "complete": complete,
        },
    )


# Writers ---------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands back the line, so csv.writer feeds a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    return value.isoformat() if isinstance(value, date) else value


def _finished_case_lines(*, user: User, filters: dict) -> Iterator[tuple[str, int]]:
    """PostgreSQL: each case's CSV line written by the database (``exports_sql``) but for the
    two pseudonyms, which are put in here, each computed once per person. Lines come in blocks
    of LINES_PER_BLOCK, with their count, so a million rows are not a million writes."""
    queryset = case_lines_sql(export_queryset(user=user, dataset="cases", filters=filters), user)
    trainees, supervisors = {}, {}
    # The planner assumes a cursor's reader wants the first tenth of the rows soon; an export
    # reads them all, so plan for the whole (a third faster at a million cases).
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        lines = []
        for trainee, supervisor, before, after in queryset.iterator(chunk_size=CHUNK_SIZE):
            if trainee not in trainees:
                trainees[trainee] = pseudonym(TRAINEE, trainee)
            if supervisor not in supervisors:
                supervisors[supervisor] = pseudonym(SUPERVISOR, supervisor)
            lines.append(f"{trainees[trainee]},{before},{supervisors[supervisor]},{after}\r\n")
            if len(lines) == LINES_PER_BLOCK:
                yield "".join(lines), len(lines)
                lines = []
        if lines:
            yield "".join(lines), len(lines)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


def csv_stream(*, user: User, dataset: str, filters: dict) -> Iterator[str]:
    """The CSV, one line at a time; the export is recorded once the stream ends. Called in the
    request, so it keeps the request's id for the event written after the request has returned.
    Cases on PostgreSQL come with their cells finished by the database (a million in well under a
    minute: docs/performance.md); everything else is formatted here, row by row."""
    rows: Iterator[Any]
    if dataset == "cases" and connections[Case.objects.db].vendor == "postgresql":
        header, rows = _case_header(), _finished_case_lines(user=user, filters=filters)
        finished = True
    else:
        header, rows = export_rows(user=user, dataset=dataset, filters=filters)
        finished = False
    return _csv_lines(
        user=user,
        dataset=dataset,
        filters=filters,
        header=header,
        rows=rows,
        request_id=current_request_id.get(),
        finished=finished,
    )


def _csv_lines(
    *,
    user: User,
    dataset: str,
    filters: dict,
    header: list[str],
    rows: Iterator[Any],
    request_id: str,
    finished: bool,
) -> Iterator[str]:
    writer = csv.writer(_Echo())
    sent, complete = 0, False
    try:
        # A byte-order mark, so Excel reads the file as UTF-8.
        yield "\ufeff" + writer.writerow(header)
        if finished:
            for block, count in rows:
                yield block
                sent += count
        else:
            for row in rows:
                yield writer.writerow([_csv_cell(value) for value in row])
                sent += 1
        complete = True
    finally:
        token = current_request_id.set(request_id)
        try:
            export_record(
                user=user, dataset=dataset, fmt="csv", filters=filters, rows=sent, complete=complete
            )
        finally:
            current_request_id.reset(token)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value)))
        cell.data_type = "s"  # never a formula or an error value, whatever the text
        return cell
    if isinstance(value, (date, datetime)):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def xlsx_file(*, user: User, dataset: str, filters: dict) -> tuple[IO[bytes], int]:
    """The workbook in a temporary file (deleted when closed), positioned at its start, and the
    number of rows. The export is recorded before the file is handed back."""
    header, rows = export_rows(user=user, dataset=dataset, filters=filters)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=DATASETS[dataset])
    # A write-only sheet writes its view before the first row: the header stays in sight while
    # scrolling only if the pane is frozen now.
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(sheet, name) for name in header])
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    # The filter is written after the rows, so it can span all of them.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    # Not a with block: the file outlives this function (the response streams and closes it).
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (handed to the response)
    try:
        workbook.save(output)
        output.seek(0)
        export_record(user=user, dataset=dataset, fmt="xlsx", filters=filters, rows=count)
    except BaseException:
        output.close()
        raise
    return output, count
