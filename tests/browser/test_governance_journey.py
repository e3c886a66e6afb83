"""Acceptance: the governance lead's afternoon, in the browser.

An active agreement with verified and unverified cases (one with a reflection a spreadsheet would
read as a formula), activities and an assessment. The governance lead signs in, reads the
dashboard and the trainee's learning curve, filters and downloads the cases as CSV (parsed and
checked against the database: pseudonymous, formula escaped) and the activities as XLSX (opened
with openpyxl), then asks for the audit report, watches the PDF being produced, downloads it and
turns each page into a PNG. Both exports are in the audit log.

Screenshots in test-artifacts/: governance-dashboard.png, governance-learning-curve.png,
governance-exports.png, governance-report.png, governance-report-phone.png (375 px),
audit-report-page-N.png (and audit-report.pdf).
"""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from audit.models import AuditEvent
from caselogs.models import Activity, Case
from governance.models import QualityStandard, QualityStandardSet
from governance.standards import default_standards_ensure
from phases.selectors import learning_curve_for

from ..agreements.conftest import build_world, draft, submit_and_sign_all
from ..factories import SiteFactory
from ..phases.conftest import add_activity, add_assessment, add_case
from .conftest import browser_sign_in, fill_date, path_is, sideways_overflow
from .test_agreement_journey import _page_count, _pdf_page_png, _pdftotext

PDF_TIMEOUT_MS = 60_000
FORMULA = '=HYPERLINK("http://example.org","review")'


def _drawn_width(page, image) -> int:
    """The image's natural width once the browser has loaded and decoded it (0 if it cannot)."""
    handle = image.element_handle()
    page.wait_for_function("img => img.complete", arg=handle)
    return page.evaluate("img => img.naturalWidth", handle)


def _world():
    world = build_world()
    version, _ = submit_and_sign_all(
        world, draft(world, start_date=date.today() - timedelta(days=200))
    )
    world.version, world.agreement = version, version.agreement
    world.site = SiteFactory(organisation=world.centre, name="Southbank Royal Infirmary")
    default_standards_ensure(QualityStandardSet, QualityStandard)
    grades = ["3", "2c", "2b67", "2b50", "0", "3", "2c", "2a", "3", "2c", "3", "2b67"]
    for index, grade in enumerate(grades):
        add_case(
            world,
            final_etici=grade,
            passes=1 + index % 3,
            days_ago=90 - 5 * index,
            door_to_imaging_minutes=15 + index,
            door_to_puncture_minutes=50 + 4 * index,
            puncture_to_reperfusion_minutes=25 + index,
            mrs_90_days=index % 5,
            mrs_90_days_method="face_to_face",
            ssnap_entered=index % 4 != 0,
            reflection=FORMULA if index == 3 else "",
        )
    add_case(world, verify=False, final_etici="1", days_ago=2)  # waiting: on the dashboard
    add_case(world, final_etici="3", days_ago=400)  # before the filtered period
    for _ in range(3):
        add_activity(world)
    add_assessment(world)
    return world


def test_the_governance_lead_exports_and_produces_the_audit_report(
    live_server, open_browser, artifacts_dir
):
    world = _world()
    lead = world.governance_lead
    person = open_browser("desktop")
    page = person.page
    browser_sign_in(person, lead)

    # The dashboard.
    page.get_by_role("link", name="Governance").first.click()
    expect(page).to_have_url(path_is("/governance/"))
    expect(page.locator("#cases-waiting")).to_contain_text(world.trainee.full_name)
    page.screenshot(path=artifacts_dir / "governance-dashboard.png", full_page=True)

    # The learning curve, drawn as an image from its own URL.
    person.goto(f"/governance/learning-curves/{world.agreement.pk}/")
    chart = page.locator("#cusum-chart img")
    expect(chart).to_be_visible()
    assert _drawn_width(page, chart) > 300
    page.screenshot(path=artifacts_dir / "governance-learning-curve.png", full_page=True)

    # Cases as CSV, filtered to the trainee and the last 120 days.
    since = date.today() - timedelta(days=120)
    person.goto("/governance/exports/")
    page.get_by_label("Dataset").select_option("cases")
    page.get_by_label("CSV").check()
    page.get_by_label("Trainee").select_option(label=world.trainee.full_name)
    fill_date(page, "From", since)
    page.screenshot(path=artifacts_dir / "governance-exports.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig")))
    )
    expected = Case.objects.filter(trainee=world.trainee, performed_on__gte=since)
    assert (
        len(rows) == expected.count() == 14
    )  # 12 verified, 1 waiting, 1 assessed; not the old one
    assert {row["reference"] for row in rows} == set(expected.values_list("reference", flat=True))
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert world.trainee.full_name not in text and world.trainee.email not in text
    assert {row["trainee"] for row in rows} == {rows[0]["trainee"]} and rows[0][
        "trainee"
    ].startswith("T-")
    assert [row["reflection"] for row in rows if row["reflection"]] == ["'" + FORMULA]

    # Activities as XLSX.
    person.goto("/governance/exports/")
    page.get_by_label("Dataset").select_option("activities")
    page.get_by_label("Excel").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    xlsx_path = artifacts_dir / "governance-activities.xlsx"
    download.value.save_as(xlsx_path)
    workbook = openpyxl.load_workbook(xlsx_path, read_only=True)
    sheet = workbook.worksheets[0]
    header, *records = list(sheet.iter_rows(values_only=True))
    assert len(records) == Activity.objects.filter(trainee=world.trainee).count() == 3
    assert "kind" in header and all(
        str(row[header.index("trainee")]).startswith("T-") for row in records
    )

    exports = AuditEvent.objects.filter(verb="export.downloaded", actor=lead).order_by("pk")
    assert [(e.data["dataset"], e.data["format"], e.data["rows"]) for e in exports] == [
        ("cases", "csv", 14),
        ("activities", "xlsx", 3),
    ]

    # The audit report for the trainee over the same period.
    person.goto("/governance/reports/")
    page.get_by_label("Trainee").select_option(label=world.trainee.full_name)
    fill_date(page, "Period start", since)
    fill_date(page, "Period end", date.today())
    page.get_by_role("button", name="Produce report").click()
    expect(
        page.get_by_role("heading", name=f"Audit report: {world.trainee.full_name}")
    ).to_be_visible()
    status = page.locator(".document-status")
    expect(status).to_be_visible()  # "Producing the PDF…" until the link replaces it
    verified = expected.filter(status="verified", procedure="mt").count()
    assert verified == 13  # the 12, and the case the assessment observed
    expect(page.locator("#report-mt-cases")).to_have_text(str(verified))
    for name in (
        "Indicators against the standards",
        "Time intervals (minutes)",
        "Learning curves",
        "Data completeness",
    ):
        expect(page.get_by_role("heading", name=name)).to_be_visible()
    images = page.locator("img.report-chart")
    expect(images).to_have_count(3)
    for index in range(3):
        assert _drawn_width(page, images.nth(index)) > 300
        assert images.nth(index).get_attribute("alt")
    # Each learning curve's values stand in a table beside its chart (issue 14, part 4).
    curve_table = page.locator("details.curve-table")
    expect(curve_table).to_have_count(1)
    curve_table.get_by_text(f"The curve of {world.trainee.full_name} as a table").click()
    expect(curve_table.locator("tbody tr")).to_have_count(
        len(learning_curve_for(world.agreement).values)
    )
    link = page.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible(timeout=PDF_TIMEOUT_MS)
    # The page says the PDF's real state: it is ready, so nothing says it is being produced.
    expect(page.get_by_text("being produced")).to_have_count(0)
    expect(page.get_by_text("Producing the PDF")).to_have_count(0)
    expect(
        page.locator(".nhsuk-notification-banner").filter(has_text="Report made")
    ).to_be_visible()
    page.screenshot(path=artifacts_dir / "governance-report.png", full_page=True)
    report_path = page.url.removeprefix(live_server.url)

    # On a phone: every column of the indicator table in view, charts drawn for a narrow screen.
    phone = open_browser("phone")
    browser_sign_in(phone, lead)
    phone.goto(report_path)
    phone.page.screenshot(path=artifacts_dir / "governance-report-phone.png", full_page=True)
    for table in phone.page.locator("table.criteria").all():
        box = table.evaluate(
            "t => [Math.ceil(t.getBoundingClientRect().right), t.scrollWidth <= t.clientWidth,"
            " t.innerText.slice(0, 60)]"
        )
        assert box[0] <= 375 and box[1], f"a report table is cut off at 375 px: {box}"
    # Each judgement stacks under its figure, in view.
    stacked = phone.page.locator(".judgement-stacked").filter(has_text="Not met")
    expect(stacked.first).to_be_visible()
    for index in range(stacked.count()):
        box = stacked.nth(index).bounding_box()
        assert box["x"] + box["width"] <= 375
    expect(
        phone.page.locator("table.criteria td").filter(has_text="Standard: at least 80%")
    ).to_be_visible()
    phone_charts = phone.page.locator("img.report-chart")
    expect(phone_charts).to_have_count(3)
    for index in range(3):
        _drawn_width(phone.page, phone_charts.nth(index))
        assert "size=narrow" in phone_charts.nth(index).evaluate("img => img.currentSrc")
    assert sideways_overflow(phone.page) == 0
    phone.assert_no_csp_errors()
    with page.expect_download() as download:
        link.click()
    pdf_path = artifacts_dir / "audit-report.pdf"
    download.value.save_as(pdf_path)
    assert pdf_path.read_bytes()[:5] == b"%PDF-"
    text = " ".join(_pdftotext(pdf_path).split())
    for words in (
        f"Verified thrombectomies {verified}",
        "Successful reperfusion",
        "Door to groin puncture",
        "Learning curves",
        "Data completeness",
        "Wasselius",
    ):
        assert words in text, f"{words!r} is not in the report"
    pages = _page_count(pdf_path)
    page_texts = [" ".join(_pdftotext(pdf_path, number).split()) for number in range(1, pages + 1)]
    # Each table whole on one page, its heading with it (issue 13, item 16): first and last rows.
    for first, last in (
        ("Indicators against the standards", "Entered in SSNAP Sacks 2018"),
        ("Interval Cases Median", "Procedure length"),
        ("Time targets", "Door-in-door-out at the referring unit"),
        ("Cases per operator", world.trainee.full_name),
        ("Data completeness", "Computed from verified cases only"),
    ):
        holding = [
            n for n, text in enumerate(page_texts, start=1) if first in text and last in text
        ]
        assert holding, f"{first!r} and {last!r} are not on one page"
    # No page holds only the end of a table or a lone heading (the last page may hold little
    # more than the document's closing seal).
    for number, text in enumerate(page_texts[1:-1], start=2):
        body = text.split("Page ")[0]
        assert len(body) > 400, f"page {number} holds almost nothing: {body!r}"
    for number in range(1, pages + 1):
        _pdf_page_png(pdf_path, number, artifacts_dir / f"audit-report-page-{number}.png")
    person.assert_no_csp_errors()


def test_the_learning_curve_page_shows_each_crossing_and_restart(
    live_server, open_browser, artifacts_dir
):
    """Issue 13, item 22: early trouble, then recovery. Four failures cross the upper limit at case
    4 (4 x 0.781 = 3.12, past 2.48); the curve restarts, and twelve successes cross the lower
    limit at case 16 (12 x 0.219 = 2.63): acceptable performance shown again."""
    world = build_world()
    version, _ = submit_and_sign_all(
        world, draft(world, start_date=date.today() - timedelta(days=200))
    )
    world.version, world.agreement = version, version.agreement
    world.site = SiteFactory(organisation=world.centre, name="Southbank Royal Infirmary")
    for index in range(16):
        add_case(world, final_etici="1" if index < 4 else "3", passes=2, days_ago=60 - index)
    path = f"/governance/learning-curves/{world.agreement.pk}/"

    for viewport in ("desktop", "phone"):
        person = open_browser(viewport)
        browser_sign_in(person, world.governance_lead)
        person.goto(path)
        page = person.page
        expect(page.locator("#crossings")).to_have_text(
            "case 4: the upper limit; case 16: the lower limit"
        )
        expect(page.get_by_text("Yes: the latest crossing is the lower limit")).to_be_visible()
        chart = page.locator("#cusum-chart img")
        assert _drawn_width(page, chart) > 250
        narrow = "size=narrow" in chart.evaluate("img => img.currentSrc")
        assert narrow == (viewport == "phone")
        # The chart's values as a table beside it, each crossing named (issue 14, part 4).
        assert "The table after the chart gives each value" in chart.get_attribute("alt")
        page.get_by_text(f"The curve of {world.trainee.full_name} as a table").click()
        rows = page.locator("details.curve-table tbody tr")
        expect(rows).to_have_count(16)
        expect(rows.nth(3)).to_contain_text("Upper (unacceptable)")
        expect(rows.nth(15)).to_contain_text("Lower (acceptable)")
        page.screenshot(
            path=artifacts_dir / f"learning-curve-restart-{viewport}.png", full_page=True
        )
        person.assert_no_csp_errors()
