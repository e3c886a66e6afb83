"""Acceptance for issue 13's logbook items: a queried case corrected on a phone, a new case's
defaults and required marks, and the supervisor's counts.

The trainee, on a 375 px phone, opens the case their supervisor queried from the home inbox. The
correction form opens with every saved value (the date and "When" were empty), refuses a
puncture-to-reperfusion time longer than the whole procedure beside its field, and saves as
revision 2, whose history line says what changed. A new case starts today, marks final eTICI and
passes required only for a thrombectomy, and "Log and add another" keeps the date. The supervisor's
home badge and the link to the queue give the same count.

Screenshots: case-correct-phone.png, case-correct-error-phone.png, case-history-phone.png,
case-form-required-phone.png, home-supervisor-queue.png.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from caselogs import choices as c
from caselogs.models import Case
from caselogs.selectors import verification_queue_for_user
from caselogs.services import case_log

from .conftest import browser_sign_in, fill_date, path_is, sideways_overflow
from .logbook_world import as_boxes, banner, date_boxes, lived_in_world

QUERIED_REFERENCE = "MT-2026-009"


def _correct_the_queried_case(person, case, artifacts_dir):
    page = person.page
    inbox = page.locator("#inbox-queried li").filter(has_text=QUERIED_REFERENCE)
    inbox.get_by_role("link", name="See the query").click()
    expect(page).to_have_url(path_is(f"/logbook/{case.pk}/"))
    expect(page.locator("#query-comment")).to_contain_text("door-to-puncture time")
    page.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(path_is(f"/logbook/{case.pk}/edit/"))

    # Every saved value is there: the date in the date field, "When" chosen (issue 13 item 1).
    assert date_boxes(page, "Date") == as_boxes(case.performed_on)
    expect(page.get_by_label("Out of hours")).to_be_checked()
    expect(page.get_by_label("Mechanical thrombectomy")).to_be_checked()
    expect(page.locator("#id_final_etici")).to_have_value(case.final_etici)
    page.locator("details.case-section summary").filter(has_text="Times").click()
    page.screenshot(path=artifacts_dir / "case-correct-phone.png", full_page=True)

    page.locator("#id_door_to_puncture_minutes").fill("75")
    page.locator("#id_puncture_to_reperfusion_minutes").fill("90")
    page.locator("#id_procedure_minutes").fill("60")
    page.get_by_role("button", name="Save and send for verification").click()

    # Refused beside its own field (issue 13 item 24), and nothing else is refused.
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    error = page.locator("#div_id_puncture_to_reperfusion_minutes .nhsuk-error-message")
    expect(error).to_contain_text("longer than the whole procedure (60 minutes)")
    expect(page.locator(".nhsuk-error-message")).to_have_count(1)
    assert date_boxes(page, "Date") == as_boxes(case.performed_on)
    page.screenshot(path=artifacts_dir / "case-correct-error-phone.png", full_page=True)
    case.refresh_from_db()
    assert (case.status, case.revision) == (c.VerificationStatus.QUERIED, 1)

    page.locator("#id_procedure_minutes").fill("110")
    page.get_by_role("button", name="Save and send for verification").click()
    expect(page).to_have_url(path_is(f"/logbook/{case.pk}/"))
    expect(banner(page, "saved and sent")).to_be_visible()
    case.refresh_from_db()
    assert (case.status, case.revision) == (c.VerificationStatus.SUBMITTED, 2)
    assert (
        case.door_to_puncture_minutes,
        case.puncture_to_reperfusion_minutes,
        case.procedure_minutes,
    ) == (75, 90, 110)

    # The history says what the correction changed (issue 13 item 10).
    newest = page.locator("#case-history > li").first
    expect(newest).to_contain_text("Revision 2: waiting for verification")
    expect(newest.locator(".history-changes li")).to_have_text(
        [
            "Door to groin puncture: not recorded → 75 min",
            "Puncture to reperfusion: not recorded → 90 min",
            "Procedure length: not recorded → 110 min",
        ]
    )
    lines = page.locator("#case-history > li").all_inner_texts()
    repeated = {line for line in lines if lines.count(line) > 1}
    assert not repeated, f"identical history lines: {repeated}"
    page.locator("#case-history").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "case-history-phone.png", full_page=True)


def _marks(page, name):
    """(marked required, aria-required): required fields are the ones without "(optional)"."""
    label = page.locator(f"label[for='id_{name}']").inner_text()
    return "(optional)" not in label, page.locator(f"#id_{name}").get_attribute("aria-required")


def _new_case_defaults_and_required_marks(person, world, artifacts_dir):
    page = person.page
    today = timezone.localdate()
    person.goto("/logbook/new/")
    assert date_boxes(page, "Date") == as_boxes(today)
    for name in ("final_etici", "passes"):
        assert _marks(page, name) == (False, None), name
    page.get_by_label("Mechanical thrombectomy").check()
    for name in ("final_etici", "passes"):
        assert _marks(page, name) == (True, "true"), name
    expect(page.locator("#div_id_final_etici")).to_contain_text("Required for a thrombectomy")
    page.locator("#div_id_final_etici").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "case-form-required-phone.png", full_page=True)
    page.get_by_label("Diagnostic cerebral angiogram").check()
    for name in ("final_etici", "passes"):
        assert _marks(page, name) == (False, None), name

    # A diagnostic angiogram four days ago, then another from the same day.
    day = today - timedelta(days=4)
    fill_date(page, "Date", day)
    page.locator("#id_reference").fill("DSA-2026-120")
    page.get_by_label("Assistant", exact=True).check()
    page.get_by_label("Supervisor scrubbed").check()
    page.get_by_role("button", name="Log and add another").click()
    expect(banner(page, "DSA-2026-120 logged")).to_be_visible()
    expect(page.get_by_role("heading", name="Log a case", level=1)).to_be_visible()
    assert date_boxes(page, "Date") == as_boxes(day)
    assert Case.objects.get(trainee=world.trainee, reference="DSA-2026-120").performed_on == day


def _supervisor_counts_agree(person, world, artifacts_dir):
    page = person.page
    waiting = verification_queue_for_user(user=world.lead_supervisor).count()
    assert waiting > 10, "the inbox shows ten: the world needs more waiting to test the count"
    person.goto("/")
    section = page.locator("section.inbox-card").filter(
        has=page.get_by_role("heading", name="Waiting for your verification")
    )
    expect(section.locator(".inbox-count")).to_have_text(re.compile(rf"^\D*{waiting}\D*$"))
    expect(section.get_by_role("link", name=f"All {waiting} in the queue")).to_be_visible()
    expect(
        section.locator("#inbox-verification li").filter(
            has=page.get_by_role("link", name="Review")
        )
    ).to_have_count(10)
    page.screenshot(path=artifacts_dir / "home-supervisor-queue.png", full_page=True)


def test_a_queried_case_is_corrected_on_a_phone_and_the_counts_agree(
    live_server, open_browser, artifacts_dir
):
    world = lived_in_world()
    queried = Case.objects.get(trainee=world.trainee, reference=QUERIED_REFERENCE)
    assert queried.status == c.VerificationStatus.QUERIED and queried.out_of_hours

    phone = open_browser("phone")
    browser_sign_in(phone, world.trainee)
    _correct_the_queried_case(phone, queried, artifacts_dir)
    assert sideways_overflow(phone.page) == 0
    _new_case_defaults_and_required_marks(phone, world, artifacts_dir)
    assert sideways_overflow(phone.page) == 0

    # More waiting for the lead supervisor than the inbox lists.
    for n in range(6):
        case_log(
            trainee=world.trainee,
            data={
                "reference": f"DSA-2026-13{n}",
                "performed_on": timezone.localdate(),
                "site": world.site,
                "out_of_hours": False,
                "procedure": "diagnostic_angiogram",
                "trainee_role": "primary_operator",
                "supervisor": world.lead_supervisor,
                "supervision_mode": "in_room",
            },
        )
    desktop = open_browser("desktop")
    browser_sign_in(desktop, world.lead_supervisor)
    _supervisor_counts_agree(desktop, world, artifacts_dir)

    for person in (phone, desktop):
        person.assert_no_csp_errors()
