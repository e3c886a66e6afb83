"""CSV import (SPEC 4.4): the whole file is checked first, every problem is reported beside its row
and column, nothing is saved unless every row is valid, and a repeated reference is refused.

The files are generated here with pseudonymous values: references like LB-0001, ages and scores,
no names or hospital numbers. The one NHS number is from the 999 range, never issued to patients.
"""

import csv
import io
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from caselogs import importer
from caselogs.models import Case
from caselogs.services import CASE_INPUT_FIELDS

from ..conftest import sign_in
from ..factories import OrganisationFactory, SiteFactory, make_member
from .conftest import log_case

pytestmark = pytest.mark.django_db

NOT_A_PATIENT_NHS_NUMBER = "9995908301"  # valid check digit, 999 test range


def case_row(world, n: int, **overrides) -> dict:
    """A realistic, pseudonymous row: mostly thrombectomies, some diagnostic angiograms."""
    row = dict.fromkeys(CASE_INPUT_FIELDS, "")
    mt = n % 4 != 0
    row.update(
        reference=f"LB-{n:04d}",
        performed_on=(date.today() - timedelta(days=2 * n + 1)).isoformat(),
        site=world.site.name if n % 3 else world.home_site.name,
        out_of_hours="out of hours" if n % 5 == 0 else "in hours",
        procedure="mt" if mt else "diagnostic_angiogram",
        trainee_role=("observer", "assistant", "primary_operator")[n % 3],
        supervisor=world.lead_supervisor.email if n % 2 else world.second_supervisor.gmc_number,
        supervision_mode=("scrubbed", "in_room", "on_site")[n % 3],
        any_complication="no",
    )
    if mt:
        passes = 1 + n % 3
        final = ("2b50", "2b67", "2c", "3", "2a")[n % 5]
        row.update(
            final_etici=final,
            passes=str(passes),
            first_pass_etici=final if passes == 1 else "",
            age=str(45 + n % 40),
            sex=("female", "male")[n % 2],
            pre_stroke_mrs=str(n % 3),
            nihss_baseline=str(6 + n % 18),
            aspects=str(6 + n % 5),
            aspects_modality="ct",
            imaging="ncct;cta" if n % 2 else "ncct; cta; ctp",
            occlusion_site=("m1", "m2", "ica_t", "basilar")[n % 4],
            occlusion_side=("left", "right")[n % 2],
            thrombolysis=("none", "alteplase", "tenecteplase")[n % 3],
            admission=("direct", "transfer")[n % 2],
            onset_type="witnessed",
            door_to_imaging_minutes=str(15 + n % 20),
            door_to_puncture_minutes=str(70 + n % 50),
            puncture_to_reperfusion_minutes=str(20 + n % 40),
            procedure_minutes=str(45 + n % 60),
            anaesthesia=("local", "conscious_sedation", "general")[n % 3],
            access=("femoral", "radial")[n % 2],
            technique=("combined", "aspiration", "stent_retriever")[n % 3],
            balloon_guide=("yes", "no")[n % 2],
            rescue_therapy="no",
            haemorrhage="none",
            nihss_24h=str(n % 12),
            mrs_90_days=str(n % 4),
            mrs_90_days_method="telephone",
            ssnap_entered="yes",
            reflection="Tortuous arch; a longer guide sheath gave better support.",
        )
        if n % 7 == 0:
            row.update(any_complication="yes", complications="distal_embolisation")
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict], *, columns=CASE_INPUT_FIELDS, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(client, content: bytes, name="cases.csv"):
    return client.post(
        reverse("caselogs:import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


class _ProblemTable(HTMLParser):
    """The cells of each row of the problem table, as the page shows them."""

    def __init__(self):
        super().__init__()
        self.rows, self._in_table, self._cell = [], False, None
        self._in_heading = False  # a responsive table repeats its column's heading in each cell

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "import-problems") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag == "td":
            self._cell = ""
        elif self._cell is not None and ("class", "nhsuk-table__heading") in attrs:
            self._in_heading = True

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif self._in_table and tag == "td":
            self.rows[-1].append(" ".join(self._cell.split()))
            self._cell = None
        elif self._in_heading and tag == "span":
            self._in_heading = False

    def handle_data(self, data):
        if self._cell is not None and not self._in_heading:
            self._cell += data


def problem_table(response) -> list[list[str]]:
    parser = _ProblemTable()
    parser.feed(response.content.decode())
    return [row for row in parser.rows if row]  # the header row has th cells only


@pytest.fixture
def trainee_client(client, logbook):
    return sign_in(client, logbook.trainee)


def test_200_rows_with_3_bad_ones_then_corrected_then_repeated(logbook, trainee_client):
    rows = [case_row(logbook, n) for n in range(1, 201)]
    rows[16]["passes"] = "two"  # spreadsheet row 18
    rows[89]["age"] = "130"  # row 91
    rows[150]["site"] = "Eastfield Community Hospital"  # row 152, not the trainee's

    response = upload(trainee_client, csv_bytes(rows))

    assert response.status_code == 200
    assert not Case.objects.exists()
    outcome = response.context["outcome"]
    assert [(p.row, p.column) for p in outcome.problems] == [
        (18, "passes"),
        (91, "age"),
        (152, "site"),
    ]
    assert outcome.rows_checked == 200
    table = problem_table(response)
    assert [cells[:3] for cells in table] == [
        ["18", "passes", "two"],
        ["91", "age", "130"],
        ["152", "site", "Eastfield Community Hospital"],
    ]
    assert table[0][3] == "“two” is not a whole number."
    assert "less than or equal to 110" in table[1][3]
    assert "Southbank Royal Infirmary" in table[2][3]  # names the sites that would do
    assert "Nothing was imported" in response.content.decode()

    rows[16]["passes"], rows[89]["age"], rows[150]["site"] = "2", "73", logbook.site.name
    response = upload(trainee_client, csv_bytes(rows))

    assert response.status_code == 302
    assert response["Location"] == reverse("caselogs:list")
    assert Case.objects.filter(trainee=logbook.trainee).count() == 200
    assert "200 cases imported" in trainee_client.get(response["Location"]).content.decode()
    imported = Case.objects.get(reference="LB-0007")
    assert imported.supervisor == logbook.lead_supervisor
    assert imported.imaging == ["ncct", "cta"] and imported.complications == ["distal_embolisation"]
    assert imported.any_complication and imported.balloon_guide is False
    assert Case.objects.get(reference="LB-0010").out_of_hours
    assert Case.objects.get(reference="LB-0004").procedure == "diagnostic_angiogram"

    response = upload(trainee_client, csv_bytes(rows))

    assert response.status_code == 200
    problems = response.context["outcome"].problems
    assert [(p.row, p.column) for p in problems] == [(n, "reference") for n in range(2, 202)]
    assert all("already have a case with this reference" in p.message for p in problems)
    assert Case.objects.count() == 200


def test_the_template_has_every_column_and_imports_back_when_filled(logbook, trainee_client):
    response = trainee_client.get(reverse("caselogs:import_template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets then open it as UTF-8
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header == list(CASE_INPUT_FIELDS)

    filled = (
        text
        + csv_bytes(
            [
                case_row(
                    logbook,
                    1,
                    performed_on="05/01/2025",
                    out_of_hours="yes",
                    haemorrhage="1c",
                    haemorrhage_symptomatic="true",
                    sich_definition="ECASS III",
                )
            ],
            columns=header,
        )
        .decode()
        .split("\r\n", 1)[1]
    )
    response = upload(trainee_client, filled.encode("utf-8"))

    assert response.status_code == 302, response.context["outcome"].problems
    case = Case.objects.get()
    assert case.performed_on == date(2025, 1, 5)
    assert case.out_of_hours and case.haemorrhage_symptomatic
    assert case.sich_definition == "ecass3"  # the label works as well as the code
    assert case.died_in_hospital is None  # blank yes/no: not recorded


def test_the_page_explains_every_column(logbook, trainee_client):
    response = trainee_client.get(reverse("caselogs:import"))

    page = response.content.decode()
    assert response.status_code == 200
    for name in CASE_INPUT_FIELDS:
        assert f"<code>{name}</code>" in page
    assert "2b50" in page and "vessel_perforation" in page
    assert logbook.lead_supervisor.email in page and logbook.home_site.name in page


def test_a_wrong_header_is_reported_by_column(logbook, trainee_client):
    columns = [name for name in CASE_INPUT_FIELDS if name != "passes"] + ["pass_count"]
    row = case_row(logbook, 1)
    row["pass_count"] = row.pop("passes")

    response = upload(trainee_client, csv_bytes([row], columns=columns))

    problems = response.context["outcome"].problems
    assert [(p.row, p.column) for p in problems] == [(1, "pass_count"), (1, "")]
    assert "Unknown column" in problems[0].message
    assert "Missing columns: passes." in problems[1].message
    assert not Case.objects.exists()


def test_a_semicolon_separated_file_is_read_too(logbook, trainee_client):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CASE_INPUT_FIELDS, delimiter=";")
    writer.writeheader()
    writer.writerow(case_row(logbook, 3))

    response = upload(trainee_client, buffer.getvalue().encode("utf-8-sig"))

    assert response.status_code == 302
    assert Case.objects.get().imaging == ["ncct", "cta"]


def test_a_file_not_in_utf8_is_refused(logbook, trainee_client):
    content = csv_bytes(
        [case_row(logbook, 1, reflection="Café-au-lait spots noted")], encoding="cp1252"
    )

    response = upload(trainee_client, content)

    (problem,) = response.context["outcome"].problems
    assert problem.row is None and "not CSV text in UTF-8" in problem.message
    assert not Case.objects.exists()


def test_a_file_too_large_is_refused(logbook, trainee_client):
    content = csv_bytes([case_row(logbook, 1)]) + b" " * importer.MAX_BYTES

    response = upload(trainee_client, content)

    (problem,) = response.context["outcome"].problems
    assert "at most 2 MB" in problem.message
    assert not Case.objects.exists()


def test_more_than_1000_rows_are_refused_before_any_is_checked(logbook, trainee_client):
    rows = [case_row(logbook, n) for n in range(1, importer.MAX_ROWS + 2)]

    response = upload(trainee_client, csv_bytes(rows))

    (problem,) = response.context["outcome"].problems
    assert "1001 cases" in problem.message and "at most 1000" in problem.message


def test_a_reference_repeated_within_the_file_is_refused(logbook, trainee_client):
    rows = [case_row(logbook, n) for n in range(1, 6)]
    rows[3]["reference"] = "LB-0002"

    response = upload(trainee_client, csv_bytes(rows))

    (problem,) = response.context["outcome"].problems
    assert (problem.row, problem.column, problem.value) == (5, "reference", "LB-0002")
    assert problem.message.startswith("Row 5 repeats the reference of row 3")
    assert not Case.objects.exists()


def test_an_nhs_number_is_refused_and_never_shown_back(logbook, trainee_client):
    number = NOT_A_PATIENT_NHS_NUMBER
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    rows = [
        case_row(logbook, 1, reflection=f"Difficult access, pt {spaced}, radial conversion."),
        case_row(logbook, 2, reference=NOT_A_PATIENT_NHS_NUMBER),
        case_row(logbook, 3, passes=NOT_A_PATIENT_NHS_NUMBER, first_pass_etici=""),
    ]

    response = upload(trainee_client, csv_bytes(rows))

    page = response.content.decode()
    assert [cells[:3] for cells in problem_table(response)] == [
        ["2", "reflection", importer.HIDDEN],
        ["3", "reference", importer.HIDDEN],
        ["4", "passes", importer.HIDDEN],
    ]
    assert "looks like an NHS number" in page
    for form in (NOT_A_PATIENT_NHS_NUMBER, spaced, NOT_A_PATIENT_NHS_NUMBER[-4:] + ","):
        assert form not in page
    assert not Case.objects.exists()


def test_every_problem_in_every_row_is_reported(logbook, trainee_client):
    rows = [
        case_row(logbook, 1, performed_on="31/02/2025", supervisor="someone@example.org"),
        case_row(
            logbook,
            2,
            final_etici="2b",
            imaging="ncct;pet",
            door_to_puncture_minutes="10",
            door_to_imaging_minutes="30",
            ssnap_entered="maybe",
        ),
        case_row(logbook, 3, site="", procedure="", out_of_hours="evening"),
        case_row(logbook, 5, age="=1+1", mrs_90_days="3", mrs_90_days_method=""),
        case_row(logbook, 7, puncture_to_reperfusion_minutes="80", procedure_minutes="52"),
    ]

    response = upload(trainee_client, csv_bytes(rows))

    found = [(p.row, p.column) for p in response.context["outcome"].problems]
    assert found == [
        (2, "performed_on"),
        (2, "supervisor"),
        (3, "final_etici"),
        (3, "imaging"),
        (3, "door_to_puncture_minutes"),
        (3, "ssnap_entered"),
        (4, "site"),
        (4, "out_of_hours"),
        (4, "procedure"),
        (5, "age"),
        (5, "mrs_90_days_method"),
        (6, "puncture_to_reperfusion_minutes"),
    ]
    table = problem_table(response)
    assert [(int(cells[0]), cells[1]) for cells in table] == found
    assert "someone@example.org" in table[1][3] and logbook.lead_supervisor.email in table[1][3]
    assert table[9][2] == "=1+1"  # shown as text, never evaluated
    assert not Case.objects.exists()


def test_blank_rows_are_skipped_and_keep_the_spreadsheet_numbering(logbook, trainee_client):
    content = csv_bytes(
        [
            case_row(logbook, 1),
            dict.fromkeys(CASE_INPUT_FIELDS, ""),
            case_row(logbook, 2, passes="many"),
        ]
    )

    response = upload(trainee_client, content)

    assert [(p.row, p.column) for p in response.context["outcome"].problems] == [(4, "passes")]


def test_two_sites_of_one_name_are_told_apart_by_organisation(logbook, trainee_client):
    SiteFactory(organisation=logbook.employer, name=logbook.site.name)
    rows = [
        case_row(logbook, 1, site=logbook.site.name),
        case_row(logbook, 2, site=f"{logbook.site.name} ({logbook.centre.name})"),
    ]

    response = upload(trainee_client, csv_bytes(rows))

    (problem,) = response.context["outcome"].problems
    assert (problem.row, problem.column) == (
        2,
        "site",
    ) and "add the organisation" in problem.message
    response = upload(trainee_client, csv_bytes(rows[1:]))
    assert response.status_code == 302
    assert Case.objects.get().site == logbook.site


def test_a_reference_saved_while_the_file_was_checked_saves_nothing(
    logbook, trainee_client, monkeypatch
):
    save_many = importer.case_save_many

    def someone_logs_lb_0002_first(**kwargs):
        log_case(logbook, reference="LB-0002")
        return save_many(**kwargs)

    monkeypatch.setattr(importer, "case_save_many", someone_logs_lb_0002_first)

    response = upload(trainee_client, csv_bytes([case_row(logbook, n) for n in range(1, 4)]))

    (problem,) = response.context["outcome"].problems
    assert "Nothing was imported" in problem.message
    assert list(Case.objects.values_list("reference", flat=True)) == ["LB-0002"]


def test_everyone_but_the_trainee_gets_403(logbook, client):
    content = csv_bytes([case_row(logbook, 1)])
    for name, person in logbook.people().items():
        if name == "trainee":
            continue
        client.logout()
        sign_in(client, person)
        got = (
            client.get(reverse("caselogs:import")).status_code,
            client.get(reverse("caselogs:import_template")).status_code,
            upload(client, content).status_code,
        )
        assert got == (403, 403, 403), name
    client.logout()
    assert client.get(reverse("caselogs:import")).status_code == 302  # to sign in
    assert not Case.objects.exists()


def test_a_trainee_without_an_agreement_is_told_as_when_logging(logbook, client):
    newcomer = make_member(Role.TRAINEE, OrganisationFactory(), full_name="Dr New Trainee")
    sign_in(client, newcomer)

    response = client.get(reverse("caselogs:import"))

    assert response.status_code == 200
    assert "caselogs/no_agreement.html" in [t.name for t in response.templates]
    assert upload(client, csv_bytes([case_row(logbook, 1)])).status_code == 200
    assert not Case.objects.exists()


def test_the_logbook_offers_the_import_to_trainees_only(logbook, client):
    sign_in(client, logbook.trainee)
    assert reverse("caselogs:import") in client.get(reverse("caselogs:list")).content.decode()
    client.logout()
    sign_in(client, logbook.lead_supervisor)
    assert reverse("caselogs:import") not in client.get(reverse("caselogs:list")).content.decode()
