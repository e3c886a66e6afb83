"""Acceptance (issue 16): a hospital's procedure list, end to end in the browser.

The training lead of the centre uploads the angio suite's list for the last three months (a CSV
file, through the upload page): it names the trainee on the days of their earlier cases, which
gave no accession number (probable matches), and on one day they logged nothing (not logged).
The supervisor sees each case's state in the verification queue and on the case. The trainee, on a
phone, is asked about the entry from their home page, logs it from there with its accession number
(the case form opens on its day and site), and the supervisor verifies it. The dashboard's rate of
matched cases, 0% once the list is in (no earlier case gave a number), rises.

Screenshots in test-artifacts/: reconciliation-upload.png, reconciliation-list.png,
reconciliation-queue.png, reconciliation-case.png, reconciliation-not-logged-phone.png,
reconciliation-logged-phone.png, reconciliation-dashboard-before.png and -after.png.
"""

import csv
import io
import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from caselogs.models import Case

from .conftest import browser_sign_in, fill_date, path_is, sideways_overflow
from .logbook_world import lived_in_world

ACCESSION = "EV-77-1203"


def _list_file(world, tmp_path, not_logged_day):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["procedure_date", "accession_number", "procedure_code", "operator_gmc", "operator_role"]
    )
    for n, case in enumerate(
        Case.objects.filter(trainee=world.trainee, site=world.site).order_by("performed_on")
    ):
        for gmc, role in (
            (world.trainee.gmc_number, "primary operator"),
            (case.supervisor.gmc_number, "supervisor"),
        ):
            writer.writerow([case.performed_on.isoformat(), f"EV-77-{n:04d}", "MT01", gmc, role])
    for gmc, role in (
        (world.trainee.gmc_number, "primary operator"),
        (world.lead_supervisor.gmc_number, "supervisor"),
    ):
        writer.writerow([not_logged_day.isoformat(), ACCESSION, "MT01", gmc, role])
    path = tmp_path / "angio-suite-list.csv"
    path.write_text(out.getvalue())
    return path


def _matched_rate(page) -> str:
    row = page.locator("#reconciliation-trainees tr").filter(has_text="Dr Trainee IR")
    return row.locator("td").last.inner_text().strip()


def test_upload_states_and_a_not_logged_entry_resolved(open_browser, artifacts_dir, tmp_path):
    world = lived_in_world()
    today = timezone.localdate()
    not_logged_day = today - timedelta(days=2)
    list_file = _list_file(world, tmp_path, not_logged_day)

    lead = open_browser("desktop")
    browser_sign_in(lead, world.training_lead)
    page = lead.page
    lead.goto("/governance/")
    expect(page.locator("#reconciliation-none")).to_be_visible()

    # The upload, through the page.
    lead.goto("/reconciliation/")
    page.get_by_role("button", name="Upload a procedure list").click()
    expect(page).to_have_url(path_is("/reconciliation/lists/upload/"))
    page.get_by_label("Site").select_option(label=world.site.name)
    fill_date(page, "First day of the list", today - timedelta(days=90))
    fill_date(page, "Last day of the list", today)
    page.get_by_label("The list, as CSV or Excel (.xlsx)").set_input_files(str(list_file))
    page.screenshot(path=artifacts_dir / "reconciliation-upload.png", full_page=True)
    page.get_by_role("button", name="Check and import").click()
    expect(page).to_have_url(re.compile(r"/reconciliation/lists/\d+/$"))
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "1 list entries not logged by their trainee"
    )
    page.screenshot(path=artifacts_dir / "reconciliation-list.png", full_page=True)
    lead.assert_no_csp_errors()
    # None of the verified cases gave an accession number: each is a probable match, none matched.
    lead.goto("/governance/")
    page.screenshot(path=artifacts_dir / "reconciliation-dashboard-before.png", full_page=True)
    before = _matched_rate(page)
    assert before.startswith("0 of"), before

    # The supervisor: each case's state beside the decision, in the queue and on the case.
    supervisor = open_browser("desktop")
    browser_sign_in(supervisor, world.lead_supervisor)
    spage = supervisor.page
    supervisor.goto("/logbook/queue/")
    expect(spage.get_by_text("Hospital list: Probable match").first).to_be_visible()
    spage.screenshot(path=artifacts_dir / "reconciliation-queue.png", full_page=True)
    verified = Case.objects.filter(trainee=world.trainee, status="verified", site=world.site)
    supervisor.goto(f"/logbook/{verified.first().pk}/")
    expect(spage.get_by_text("Hospital list: Probable match")).to_be_visible()
    spage.screenshot(path=artifacts_dir / "reconciliation-case.png", full_page=True)

    # The trainee, on a phone: asked from home, logs it from the entry.
    trainee = open_browser("phone")
    browser_sign_in(trainee, world.trainee)
    tpage = trainee.page
    expect(tpage.locator("#inbox-not-logged")).to_contain_text("Were you involved?")
    tpage.get_by_role("link", name="Log them or say you were not involved").click()
    expect(tpage).to_have_url(path_is("/reconciliation/not-logged/"))
    assert sideways_overflow(tpage) <= 0
    tpage.screenshot(path=artifacts_dir / "reconciliation-not-logged-phone.png", full_page=True)
    tpage.get_by_role("button", name=re.compile(r"^Log it")).click()
    expect(tpage).to_have_url(path_is("/logbook/new/"))
    expect(tpage.locator("#id_site")).to_have_value(str(world.site.pk))
    tpage.locator("#id_reference").fill("MT-2026-120")
    tpage.get_by_label("Mechanical thrombectomy").check()
    tpage.get_by_label("Primary operator").check()
    tpage.locator("#id_supervisor").select_option(label=world.lead_supervisor.full_name)
    tpage.get_by_label("Supervisor scrubbed").check()
    tpage.locator("#id_final_etici").select_option("2c")
    tpage.locator("#id_passes").fill("1")
    tpage.get_by_label("Accession number or event id").fill(ACCESSION)
    tpage.get_by_role("button", name="Log case").click()
    expect(tpage.get_by_text("Hospital list: Matched")).to_be_visible()
    assert ACCESSION not in tpage.content()  # keyed at once, never shown
    tpage.screenshot(path=artifacts_dir / "reconciliation-logged-phone.png", full_page=True)
    trainee.goto("/reconciliation/not-logged/")
    expect(tpage.locator("#not-logged-empty")).to_be_visible()
    trainee.assert_no_csp_errors()

    # Verified, it counts: the dashboard's rate rises.
    logged = Case.objects.get(trainee=world.trainee, reference="MT-2026-120")
    supervisor.goto(f"/logbook/{logged.pk}/verify/")
    spage.get_by_label("Primary operator").check()
    spage.get_by_label("Supervisor scrubbed").check()
    spage.get_by_label("Verify: this case is accurate").check()
    spage.get_by_role("button", name="Record decision").click()
    expect(spage.get_by_text("Hospital list: Matched")).to_be_visible()

    lead.goto("/governance/")
    after = _matched_rate(page)
    page.screenshot(path=artifacts_dir / "reconciliation-dashboard-after.png", full_page=True)
    assert before != after, (before, after)
    assert after.startswith("1 of"), after
