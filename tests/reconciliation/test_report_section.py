"""The audit report's "Checked against the hospital's record" section, as its reader sees it on
the report page (issue 19: mutation testing found the per-trainee verified count, the centres'
order and table, and each quarter's sample row could all be wrong without a test failing, and
the samples' totals frozen into every report but shown nowhere).

Cases over five quarters at two organisations: the centre's site has a procedure list covering
every one of its cases, the employer's site has none, and a sample is drawn at each
organisation in each quarter with cases. Last year's and the year before's dates, so every
quarter has ended whatever day the tests run."""

from datetime import date

import pytest

from caselogs.models import Case
from reconciliation.models import SampledCase
from reconciliation.services import audit_sample_draw, sampled_case_record

from ..agreements.conftest import build_world, draft, submit_and_sign_all
from ..caselogs.conftest import log_verified_case
from ..factories import SiteFactory
from ..governance.conftest import audit_report_page
from .conftest import TODAY, import_list, row

pytestmark = pytest.mark.django_db

YEAR = TODAY.year - 1


@pytest.fixture
def two_years(db):
    world = build_world()
    version, _ = submit_and_sign_all(world, draft(world, start_date=date(YEAR - 1, 10, 1)))
    world.version = version
    world.site = SiteFactory(organisation=world.centre, name="Southbank Royal Infirmary")
    world.home_site = SiteFactory(organisation=world.employer, name="Northgate General")
    centre_cases = [
        ("MT-1", date(YEAR - 1, 12, 15), "ACC-1"),  # on the list
        ("MT-2", date(YEAR, 1, 15), "ACC-2"),  # on the list
        ("MT-3", date(YEAR, 1, 16), "ACC-9"),  # not on the list
        ("MT-4", date(YEAR, 11, 20), "ACC-4"),  # on the list
    ]
    for reference, day, accession in centre_cases:
        log_verified_case(world, reference=reference, performed_on=day, accession_number=accession)
    for reference, day in (("MT-5", date(YEAR, 2, 10)), ("MT-6", date(YEAR, 5, 12))):
        log_verified_case(world, reference=reference, performed_on=day, site=world.home_site)
    gmc = world.trainee.gmc_number
    import_list(
        world,
        [row(day, accession, gmc) for _, day, accession in centre_cases if accession != "ACC-9"],
        period=(date(YEAR - 1, 12, 1), date(YEAR, 12, 31)),
    )
    # The centre's first-quarter sample before the employer's, so neither the order they were
    # drawn in nor the order of their rows in the table decides the report's order.
    for organisation, quarter_year, quarter in (
        (world.centre, YEAR - 1, 4),
        (world.centre, YEAR, 1),
        (world.employer, YEAR, 1),
        (world.employer, YEAR, 2),
        (world.centre, YEAR, 4),
    ):
        audit_sample_draw(
            organisation=organisation, year=quarter_year, quarter=quarter, user=None, percent=100
        )
    sampled_case_record(
        user=world.training_lead,
        sampled=SampledCase.objects.get(case__reference="MT-2"),
        confirmed=SampledCase.Confirmed.CONFIRMED,
        role="primary_operator",
        outcome=SampledCase.Outcome.AGREES,
    )
    return world


def _rows(page, table_id):
    table = page[page.index(f'id="{table_id}"') :]
    table = table[table.index("<tbody") : table.index("</table>")]
    rows = []
    for tr in table.split("<tr")[1:]:
        cells = [cell.split(">", 1)[1].split("</td>")[0] for cell in tr.split("<td")[1:]]
        rows.append(cells)
    return rows


def test_the_reports_reconciliation_section_in_full(
    two_years, client, django_capture_on_commit_callbacks
):
    assert Case.objects.filter(status="verified").count() == 6
    _, page = audit_report_page(
        client,
        two_years.governance_lead,
        django_capture_on_commit_callbacks,
        period_start=date(YEAR - 1, 12, 1),
    )

    assert (
        "Of 6 verified cases, 4 were covered by a hospital procedure list: 3 matched (75%), "
        "0 probable, 1 not on the list." in page
    )
    # The trainee's six verified cases, four of them at a site with a list.
    assert _rows(page, "report-reconciliation-trainees") == [
        ["Dr Trainee IR", "6", "4", "3 (75%)", "0"]
    ]
    # Lowest rate first; a centre with no list at all (no rate) last, whatever its name.
    assert _rows(page, "report-reconciliation-centres") == [
        ["Southbank Neuroscience Centre", "4", "3 (75%)"],
        ["Northgate Hospitals NHS Trust", "0", "0"],
    ]
    # By year, quarter and organisation; each row only its own quarter's sample at its own
    # organisation; one of the centre's first-quarter cases checked and confirmed.
    centre, employer = "Southbank Neuroscience Centre", "Northgate Hospitals NHS Trust"
    assert _rows(page, "report-audit-samples") == [
        [f"{YEAR - 1} Q4, {centre}", "1", "0", "0", "0", "0"],
        [f"{YEAR} Q1, {employer}", "1", "0", "0", "0", "0"],
        [f"{YEAR} Q1, {centre}", "2", "1", "1 (100%)", "1", "1"],
        [f"{YEAR} Q2, {employer}", "1", "0", "0", "0", "0"],
        [f"{YEAR} Q4, {centre}", "1", "0", "0", "0", "0"],
        # Every quarter's sample together, below them.
        ["<strong>All quarters</strong>"]
        + [f"<strong>{n}</strong>" for n in ("6", "1", "1 (100%)", "1", "1")],
    ]
