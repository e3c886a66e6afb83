"""What the audit report adds for issue 13 (items 12 and 23): the sICH rate beside its count for
each definition, cases per operator, and medians printed as whole minutes when they are whole."""

from datetime import date, timedelta

import pytest

from governance.models import AuditReport, QualityStandard, QualityStandardSet
from governance.standards import default_standards_ensure

from ..conftest import sign_in
from ..phases.conftest import add_case

pytestmark = pytest.mark.django_db


def _report(client, world, django_capture_on_commit_callbacks):
    default_standards_ensure(QualityStandardSet, QualityStandard)
    sign_in(client, world.governance_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/governance/reports/",
            {
                "organisation": "",
                "trainee": "",
                "period_start": (date.today() - timedelta(days=60)).isoformat(),
                "period_end": date.today().isoformat(),
            },
        )
    assert response.status_code == 302
    report = AuditReport.objects.get()
    return report, client.get(f"/governance/reports/{report.pk}/").content.decode()


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
    assert (
        '<td>Heidelberg</td><td class="nhsuk-table__cell--numeric num">1</td><td class="nhsuk-table__cell--numeric num">12.5%</td>'
    ) in table
    assert (
        '<td>ECASS III</td><td class="nhsuk-table__cell--numeric num">2</td><td class="nhsuk-table__cell--numeric num">25.0%</td>'
    ) in table
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
    assert (
        f'<td>{trainee_world.trainee.full_name}</td><td class="nhsuk-table__cell--numeric num">4</td>'
        '<td class="nhsuk-table__cell--numeric num">3</td><td class="nhsuk-table__cell--numeric num">5</td>'
    ) in page


def test_medians_print_whole_minutes_without_a_decimal(
    trainee_world, client, django_capture_on_commit_callbacks
):
    for minutes in (180, 187, 200):  # median 187; quartiles 183.5 and 193.5
        add_case(trainee_world, onset_to_arrival_minutes=minutes)
    _, page = _report(client, trainee_world, django_capture_on_commit_callbacks)

    row = page[page.index("<td>Onset to arrival") :]
    row = row[: row.index("</tr>")]
    assert '<td class="nhsuk-table__cell--numeric num">187</td>' in row and "187.0" not in row
    assert "183.5 to 193.5" in row
