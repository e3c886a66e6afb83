"""The activity and assessment exports row by row: who appears under which pseudonym, and when a
supervisor decided. `test_exports.py` checks scope, filters and escaping; a row whose trainee or
supervisor pseudonym was computed from the wrong person, or whose decided date went missing, would
pass it."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from caselogs.activity_services import activity_log
from caselogs.import_cells import MULTI_SEPARATOR
from caselogs.models import Activity
from caselogs.services import case_build, case_save_many
from governance import exports
from governance.exports import pseudonym

from ..conftest import sign_in
from ..factories import SiteFactory
from ..phases.conftest import add_activity, add_assessment, add_case
from .conftest import export_rows

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture
def evidence(trainee_world):
    """One verified case, one confirmed activity, one activity still waiting for the second
    supervisor, and one assessment: all the trainee's, two supervisors between them."""
    w = trainee_world
    w.case = add_case(w, reference="EXP-1", days_ago=5)
    w.confirmed = add_activity(w)  # three days ago, confirmed by the lead supervisor now
    w.waiting = activity_log(
        trainee=w.trainee,
        data={
            "kind": "teaching",
            "happened_on": TODAY - timedelta(days=1),
            "hours": Decimal("2.5"),
            "notes": "Registrar teaching",
            "supervisor": w.second_supervisor,
        },
    )
    w.assessment = add_assessment(w, level=3, case=w.case)
    return w


def test_the_same_person_has_the_same_pseudonym_in_every_export(evidence):
    w = evidence
    trainee = pseudonym("T", w.trainee.pk)
    lead, second = pseudonym("S", w.lead_supervisor.pk), pseudonym("S", w.second_supervisor.pk)
    # Three different people, three different pseudonyms, each marked with its role.
    assert len({trainee, lead, second}) == 3
    assert trainee.startswith("T-") and lead.startswith("S-") and second.startswith("S-")

    (case,) = export_rows(w.administrator, "cases", "csv")
    assert (case["trainee"], case["supervisor"]) == (trainee, lead)

    activities = export_rows(w.administrator, "activities", "csv")
    assert [(a["trainee"], a["supervisor"]) for a in activities] == [
        (trainee, lead),
        (trainee, second),
    ]
    (assessment,) = export_rows(w.administrator, "assessments", "csv")
    assert (assessment["trainee"], assessment["assessor"]) == (trainee, lead)


def test_an_activity_row_in_full(evidence):
    w = evidence
    decided = Activity.objects.get(pk=w.confirmed.pk).decided_at.date()
    rows = export_rows(w.trainee, "activities", "csv")
    assert rows == [
        {
            "trainee": pseudonym("T", w.trainee.pk),
            "phase_on_date": "1",
            "kind": "mdt",
            "happened_on": (TODAY - timedelta(days=3)).isoformat(),
            "hours": "1.0",
            "notes": "",
            "supervisor": pseudonym("S", w.lead_supervisor.pk),
            "confirmation_status": "confirmed",
            "supervisor_comment": "",
            "decided_on": decided.isoformat(),
        },
        {
            "trainee": pseudonym("T", w.trainee.pk),
            "phase_on_date": "1",
            "kind": "teaching",
            "happened_on": (TODAY - timedelta(days=1)).isoformat(),
            "hours": "2.5",
            "notes": "Registrar teaching",
            "supervisor": pseudonym("S", w.second_supervisor.pk),
            "confirmation_status": "submitted",
            "supervisor_comment": "",
            # Not decided yet: nothing to show.
            "decided_on": "",
        },
    ]
    # The workbook carries the same decided date, as a date.
    sheet_rows = export_rows(w.trainee, "activities", "xlsx")
    assert [row["decided_on"].date() if row["decided_on"] else None for row in sheet_rows] == [
        decided,
        None,
    ]
    assert [row["supervisor"] for row in sheet_rows] == [
        pseudonym("S", w.lead_supervisor.pk),
        pseudonym("S", w.second_supervisor.pk),
    ]


def test_an_assessment_row_in_full(evidence):
    w = evidence
    for user in (w.trainee, w.lead_supervisor, w.administrator):
        assert export_rows(user, "assessments", "csv") == [
            {
                "trainee": pseudonym("T", w.trainee.pk),
                "phase_on_date": "1",
                "kind": "procedural",
                "assessed_on": TODAY.isoformat(),
                "assessor": pseudonym("S", w.lead_supervisor.pk),
                "entrustment": "3",
                "case_reference": "EXP-1",
                "strengths": "Steady catheter work.",
                "development_points": "Plan the second pass.",
            }
        ], user


@pytest.mark.parametrize(
    ("dataset", "title", "date_column"),
    [
        ("cases", "Cases", "performed_on"),
        ("activities", "Activities", "happened_on"),
        ("assessments", "Assessments", "assessed_on"),
    ],
)
def test_a_workbook_names_its_sheet_and_shows_dates_as_dates(evidence, dataset, title, date_column):
    client = Client()
    sign_in(client, evidence.trainee)
    response = client.get(reverse("governance:export_download", args=[dataset, "xlsx"]))
    content = b"".join(response.streaming_content)
    # The file from its first byte: a zip archive's signature, and as long as the header says
    # (a reader that finds the archive from its end would forgive a missing first byte; not every
    # reader does).
    assert content[:4] == b"PK\x03\x04"
    assert int(response["Content-Length"]) == len(content)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [title]
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    dates = [row[header.index(date_column)] for row in sheet.iter_rows(min_row=2)]
    assert dates and all(cell.is_date and cell.number_format == "yyyy-mm-dd" for cell in dates)


def test_a_control_character_is_dropped_from_a_workbook_cell_and_nothing_put_in_its_place(
    evidence,
):
    # A control character (here a bell, pasted from another system) cannot be stored in an XLSX
    # file: the cell keeps the text around it.
    activity_log(
        trainee=evidence.trainee,
        data={
            "kind": "mdt",
            "happened_on": TODAY,
            "hours": Decimal("1"),
            "notes": "Neuro\x07radiology MDT",
            "supervisor": evidence.lead_supervisor,
        },
    )
    rows = export_rows(evidence.trainee, "activities", "xlsx")
    assert [row["notes"] for row in rows] == [None, "Registrar teaching", "Neuroradiology MDT"]
    # The CSV has no such limit: it keeps the text as entered.
    rows = export_rows(evidence.trainee, "activities", "csv")
    assert rows[-1]["notes"] == "Neuro\x07radiology MDT"


@pytest.mark.parametrize(("fmt", "label"), [("csv", "CSV"), ("xlsx", "Excel (XLSX)")])
def test_the_audit_event_counts_every_row_sent(evidence, fmt, label):
    rows = export_rows(evidence.trainee, "activities", fmt)
    assert len(rows) == 2
    event = AuditEvent.objects.filter(verb="export.downloaded").latest("sequence")
    assert event.actor == evidence.trainee
    assert event.summary == f"Activities exported as {label}: 2 rows"
    assert event.data["rows"] == 2 and event.data["complete"] is True


def _cases_for_both_supervisors(world, n):
    """n cases through the import's services, supervised in turn by the two INRs (built once by
    the service, as the import does, and saved in one batch)."""
    supervisors = [world.lead_supervisor, world.second_supervisor]
    cases = []
    for i in range(n):
        case = case_build(
            trainee=world.trainee,
            data={
                "reference": f"BLOCK-{i:04d}",
                "performed_on": TODAY - timedelta(days=2),
                "site": world.site,
                "out_of_hours": False,
                "procedure": "mt",
                "trainee_role": "primary_operator",
                "supervisor": supervisors[i % 2],
                "supervision_mode": "scrubbed",
                "final_etici": "2c",
                "passes": 1,
                "any_complication": False,
            },
            existing_references=(),
        )
        cases.append(case)
    case_save_many(trainee=world.trainee, cases=cases)
    return supervisors


def test_a_case_export_of_several_hundred_rows_has_every_line_whole(trainee_world):
    # More rows than one block of lines (on PostgreSQL the database writes the lines and they
    # leave in blocks of a hundred), and not a multiple of it, so the last part-block counts too.
    w = trainee_world
    n = 2 * exports.LINES_PER_BLOCK + 37
    supervisors = _cases_for_both_supervisors(w, n)
    client = Client()
    sign_in(client, w.administrator)
    response = client.get(reverse("governance:export_download", args=["cases", "csv"]))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufefftrainee,phase_on_date,")
    lines = text.removeprefix("\ufeff").split("\r\n")
    assert len(lines) == 1 + n + 1 and lines[-1] == ""  # the header, the rows, the last newline
    header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    assert len(rows) == n and all(len(row) == len(header) for row in rows)
    rows = [dict(zip(header, row, strict=True)) for row in rows]
    assert [row["reference"] for row in rows] == [f"BLOCK-{i:04d}" for i in range(n)]
    assert {row["trainee"] for row in rows} == {pseudonym("T", w.trainee.pk)}
    assert [row["supervisor"] for row in rows] == [
        pseudonym("S", supervisors[i % 2].pk) for i in range(n)
    ]
    assert {(row["site"], row["performed_on"], row["final_etici"]) for row in rows} == {
        ("Southbank Royal Infirmary", (TODAY - timedelta(days=2)).isoformat(), "2c")
    }
    event = AuditEvent.objects.filter(verb="export.downloaded").latest("sequence")
    assert event.summary == f"Cases exported as CSV: {n} rows"
    assert event.data["rows"] == n and event.data["complete"] is True


def test_the_audit_event_names_the_filters_by_id_number_and_date(evidence):
    """What was asked for, without names: the organisation and trainee by id, the phase as a
    number, the dates as ISO dates (issue 19: each conversion was unchecked)."""
    client = Client()
    sign_in(client, evidence.trainee)
    since = TODAY - timedelta(days=30)
    query = {
        "organisation": evidence.centre.pk,
        "trainee": evidence.trainee.pk,
        "phase": 1,
        "date_from": since.isoformat(),
    }
    response = client.get(reverse("governance:export_download", args=["activities", "csv"]), query)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AuditEvent.objects.filter(verb="export.downloaded").latest("sequence")
    assert event.data["filters"] == {
        "organisation": evidence.centre.pk,
        "trainee": evidence.trainee.pk,
        "phase": 1,
        "date_from": since.isoformat(),
    }


def test_a_case_row_in_full_with_yes_no_lists_and_blanks(trainee_world):
    """A case's workbook row as the analyst reads it (issue 19: the header's derived columns,
    yes and no, lists and blanks were each unchecked): out of hours "yes", no complication
    "no", the imaging list joined, a field never filled in empty, the site beside its
    organisation, and the derived measures last."""
    w = trainee_world
    add_case(
        w,
        reference="ROW-1",
        days_ago=4,
        out_of_hours=True,
        imaging=["ncct", "cta"],
        haemorrhage_symptomatic=False,
        final_etici="3",
    )
    (row,) = export_rows(w.trainee, "cases", "xlsx")
    header = list(row)
    assert header[:2] == ["trainee", "phase_on_date"]
    assert header[header.index("site") + 1] == "site_organisation"
    assert header[-8:] == [
        "mtici",
        "successful_reperfusion",
        "excellent_reperfusion",
        "first_pass_effect",
        "verification_status",
        "revision",
        "supervisor_view_of_role",
        "supervisor_view_of_mode",
    ]
    assert (row["site"], row["site_organisation"]) == (w.site.name, w.site.organisation.name)
    assert (row["out_of_hours"], row["any_complication"]) == ("yes", "no")
    assert row["haemorrhage_symptomatic"] == "no"
    assert row["imaging"] == MULTI_SEPARATOR.join(["ncct", "cta"])
    assert row["complications"] is None and row["reflection"] is None and row["sex"] is None
    assert [row[name] for name in header[-8:]] == [
        "3",
        "yes",
        "yes",
        "yes",
        "verified",
        1,
        "primary_operator",
        "scrubbed",
    ]


def test_a_case_workbook_reads_each_cases_site_and_organisation_with_it(trainee_world):
    """One case or four at two sites: the same queries (issue 19: the join was unchecked)."""
    w = trainee_world
    add_case(w, reference="Q-1", days_ago=4)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_rows(w.trainee, "cases", "xlsx")
        return len(captured)

    one = queries()
    other_site = SiteFactory(organisation=w.employer, name="Second Site")
    for n, site in enumerate((w.site, other_site, other_site), start=2):
        add_case(w, reference=f"Q-{n}", days_ago=4, site=site)
    assert queries() == one


def test_the_audit_event_records_whose_scope_the_export_was_drawn_from(evidence):
    """An administrator's export covers everything; a trainee's only their own, at their
    employer (issue 19: the recorded scope was unchecked)."""
    export_rows(evidence.administrator, "activities", "csv")
    event = AuditEvent.objects.filter(verb="export.downloaded").latest("sequence")
    assert event.data["scope"] == {"all": True}
    export_rows(evidence.trainee, "activities", "csv")
    event = AuditEvent.objects.filter(verb="export.downloaded").latest("sequence")
    assert event.data["scope"] == {
        "roles": ["trainee"],
        "organisations": [evidence.employer.pk],
        "own_only": True,
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_log_truncatable")
def test_a_download_stopped_part_way_is_recorded_as_interrupted_with_the_rows_sent(evidence):
    """The reader closes the download after the header line: the audit event says so. Not in a
    test transaction: closing a response ends the request, and Django then closes a connection
    left inside a transaction (the test client avoids that only for a download read to its end)."""
    client = Client()
    sign_in(client, evidence.trainee)
    response = client.get(reverse("governance:export_download", args=["activities", "csv"]))
    stream = iter(response.streaming_content)
    assert b"happened_on" in next(stream)
    response.close()
    event = AuditEvent.objects.filter(verb="export.downloaded").latest("sequence")
    assert event.summary == "Activities exported as CSV: 0 rows (download interrupted)"
    assert event.data["rows"] == 0 and event.data["complete"] is False


def test_rows_come_oldest_first_whatever_order_they_were_logged_in(trainee_world):
    w = trainee_world
    for reference, days_ago in (("LATE", 2), ("EARLY", 9), ("MIDDLE", 5)):
        add_case(w, reference=reference, days_ago=days_ago)
    rows = export_rows(w.trainee, "cases", "xlsx")
    assert [row["reference"] for row in rows] == ["EARLY", "MIDDLE", "LATE"]
