"""What the audit report adds for issue 13 (items 12 and 23): the sICH rate beside its count for
each definition, cases per operator, and medians printed as whole minutes when they are whole."""

import pytest
from django.template.loader import render_to_string

from governance.reports import curve_rows, report_chart_names, report_context

from ..phases.conftest import add_case
from .conftest import audit_report_page

pytestmark = pytest.mark.django_db

# A figure's cell: right-aligned on the page (NHS.UK), and in the PDF (num).
NUM = '<td class="nhsuk-table__cell nhsuk-table__cell--numeric num">'
CELL = '<td class="nhsuk-table__cell">'


def _report(client, world, django_capture_on_commit_callbacks):
    return audit_report_page(client, world.governance_lead, django_capture_on_commit_callbacks)


def test_the_sich_rate_stands_beside_each_definitions_count(
    trainee_world, client, django_capture_on_commit_callbacks
):
    # 8 thrombectomies: 1 sICH by Heidelberg (12.5%), 2 by ECASS III (25.0%).
    for definition in ("heidelberg", "ecass3", "ecass3"):
        add_case(
            trainee_world,
            haemorrhage="1c",
            haemorrhage_symptomatic=True,
            sich_definition=definition,
        )
    for _ in range(5):
        add_case(trainee_world)
    _, page = _report(client, trainee_world, django_capture_on_commit_callbacks)

    table = page[page.index('id="sich-rates"') :]
    table = table[: table.index("</table>")]
    assert f"{CELL}Heidelberg</td>{NUM}1</td>{NUM}12.5%</td>" in table
    assert f"{CELL}ECASS III</td>{NUM}2</td>{NUM}25.0%</td>" in table
    assert "Rates are of the 8 verified thrombectomies" in page


def test_cases_per_operator_count_the_verified_role(
    trainee_world, client, django_capture_on_commit_callbacks
):
    for _ in range(3):
        add_case(trainee_world)
    add_case(trainee_world, trainee_role="assistant")
    add_case(trainee_world, procedure="diagnostic_angiogram", final_etici="", passes=None)
    add_case(trainee_world, verify=False)  # waiting: not counted
    report, page = _report(client, trainee_world, django_capture_on_commit_callbacks)

    assert report.snapshot["operators"] == [
        {"operator": trainee_world.trainee.full_name, "all": 5, "mt": 4, "mt_primary": 3}
    ]
    assert report.snapshot["operators_left_out"] == 0
    assert "Cases per operator" in page
    assert f"{CELL}{trainee_world.trainee.full_name}</td>{NUM}4</td>{NUM}3</td>{NUM}5</td>" in page


def test_medians_print_whole_minutes_without_a_decimal(
    trainee_world, client, django_capture_on_commit_callbacks
):
    for minutes in (180, 187, 200):  # median 187; quartiles 183.5 and 193.5
        add_case(trainee_world, onset_to_arrival_minutes=minutes)
    _, page = _report(client, trainee_world, django_capture_on_commit_callbacks)

    row = page[page.index(f"{CELL}Onset to arrival") :]
    row = row[: row.index("</tr>")]
    assert f"{NUM}187</td>" in row and "187.0" not in row
    assert "183.5 to 193.5" in row


def test_each_learning_curve_has_its_values_in_a_table_on_the_page_only(
    trainee_world, client, django_capture_on_commit_callbacks
):
    """Issue 14, part 4: a chart's alternative text points to a table of the same values beside
    it on the page; the PDF keeps its chart and caption without the long table."""
    for etici in ("1", "3", "3"):
        add_case(trainee_world, final_etici=etici)
    report, page = _report(client, trainee_world, django_capture_on_commit_callbacks)

    values = report.snapshot["learning_curves"][0]["values"]
    table = page[page.index('class="nhsuk-details curve-table"') :]
    table = table[: table.index("</details>")]
    assert f"The curve of {trainee_world.trainee.full_name} as a table" in table
    assert table.count("<tr ") == len(values) + 1  # the header and one row a case
    assert "The table after the chart gives each value" in page

    pdf_html = render_to_string(
        "governance/partials/report_sections.html",
        report_context(report, dict.fromkeys(report_chart_names(report), "data:,")),
    )
    assert "curve-table" not in pdf_html and "phone-only" not in pdf_html
    assert "Learning curve of" in pdf_html


def test_curve_rows_name_each_crossing():
    rows = curve_rows([0.5, 1.2, -0.2], [{"case": 2, "limit": "upper"}])
    assert rows == [
        {"case": 1, "value": 0.5, "crossed": ""},
        {"case": 2, "value": 1.2, "crossed": "upper"},
        {"case": 3, "value": -0.2, "crossed": ""},
    ]
