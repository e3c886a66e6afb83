"""Each demo person signs in, in their own browser, and lands on a home page made for their role."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_BACKUP_CODES, DEMO_PASSWORD, DEMO_PEOPLE, seed_people
from accounts.models import Role
from governance.reports import audit_report_request
from reconciliation.selectors import LIST_READ_ROLES

from ..agreements.conftest import build_world, draft, submit_and_sign_all
from .conftest import browser_sign_in, path_is, sideways_overflow

ADMIN_ONLY_LINKS = {"Audit log", "Administration"}


def _sign_in(person, demo, backup_code):
    page = person.page
    person.goto("/account/login/")
    page.get_by_label("E-mail address").fill(demo.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(path_is("/account/two-factor/verify/"))
    page.get_by_label("Code").fill(backup_code)
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(path_is("/"))
    expect(
        page.locator(".nhsuk-notification-banner").filter(has_text="You used a backup code")
    ).to_be_visible()


def _check_home(person, demo):
    page = person.page
    label = Role(demo.role).label
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {demo.full_name}")
    expect(page.locator("h1 + .role-labels .role-badge")).to_have_text([label])
    memberships = page.locator("#my-memberships")
    expect(memberships).to_contain_text(label)
    expect(memberships).to_contain_text(demo.organisation)
    if demo.directorate:
        expect(memberships).to_contain_text(demo.directorate)

    # Read from the DOM, so it holds whether or not some links sit behind "More" (phone width).
    navigation = page.locator('nav[aria-label="Main navigation"]')
    links = {
        text.strip()
        for text in navigation.locator(
            ".nhsuk-header__navigation-item a.nhsuk-header__navigation-link"
        ).all_text_contents()
    }
    expected = {"Home", "Training agreements", "Logbook", "Organisations"}
    if demo.role not in (Role.TRAINEE, Role.SUPERVISOR):
        expected.add("Governance")
    else:
        expected.add("Exports")
    if demo.role in LIST_READ_ROLES | {Role.ADMINISTRATOR}:
        expected.add("Reconciliation")  # hospital procedure lists (issue 16)
    if demo.role == Role.ADMINISTRATOR:
        expected |= ADMIN_ONLY_LINKS
    assert links == expected, f"{demo.role}: navigation shows {sorted(links)}"


@pytest.mark.parametrize("demo", DEMO_PEOPLE, ids=[str(p.role) for p in DEMO_PEOPLE])
def test_each_role_reaches_its_own_home(demo, live_server, open_browser, artifacts_dir):
    seed_people()
    role = str(demo.role)

    for n, viewport in enumerate(("desktop", "phone")):
        person = open_browser(viewport)
        _sign_in(person, demo, DEMO_BACKUP_CODES[n])  # each backup code works once
        _check_home(person, demo)
        suffix = "" if viewport == "desktop" else "-phone"
        person.page.screenshot(path=artifacts_dir / f"home-{role}{suffix}.png", full_page=True)
        # At 1280 px too: an administrator's seven links once pushed their name off the screen.
        width = person.page.viewport_size["width"]
        assert sideways_overflow(person.page) == 0, (
            f"{role}: home page scrolls sideways at {width} px"
        )
        # The account links stand in the header at every width: no menu to open first.
        account = person.page.locator('nav[aria-label="Account"]')
        expect(account.get_by_role("button", name="Sign out")).to_be_visible()
        expect(account.get_by_role("link", name="Sign-in and two-factor")).to_be_visible()
        expect(account).to_contain_text(demo.full_name)
        if viewport == "phone":
            # The links that do not fit sit behind "More", which opens them within the screen.
            navigation = person.page.locator('nav[aria-label="Main navigation"]')
            more = navigation.get_by_role("button", name=re.compile(r"More"))
            expect(more).to_be_visible()
            more.click()
            expect(more).to_have_attribute("aria-expanded", "true")
            organisations = navigation.get_by_role("link", name="Organisations")
            expect(organisations).to_be_visible()
            box = organisations.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
            person.page.screenshot(
                path=artifacts_dir / f"home-{role}-phone-menu.png", full_page=True
            )
        person.assert_no_csp_errors()
        person.context.close()


def test_the_governance_lead_home_shows_overdue_reviews_and_reports(
    live_server, open_browser, artifacts_dir
):
    """The governance panel once said these "will appear here" and stayed empty while an agreement
    was past its review date and the lead had asked for a report."""
    world = build_world()
    today = date.today()
    agreement = draft(
        world,
        start_date=today - timedelta(days=200),
        review_dates=[
            (today - timedelta(days=18)).isoformat(),
            (today + timedelta(days=165)).isoformat(),
        ],
    )
    submit_and_sign_all(world, agreement)
    lead = world.governance_lead
    report = audit_report_request(
        user=lead, period_start=today - timedelta(days=365), period_end=today
    )

    person = open_browser("desktop")
    browser_sign_in(person, lead)
    page = person.page
    panel = page.locator("#inbox-governance")
    expect(page.get_by_role("heading", name="Governance", level=2)).to_be_visible()
    expect(page.get_by_text("will appear here")).to_have_count(0)
    overdue = panel.get_by_role("link", name=f"{world.trainee.full_name} ({agreement.reference})")
    expect(overdue).to_be_visible()
    expect(panel).to_contain_text(f"review date {today - timedelta(days=18):%d %b %Y} has passed")
    expect(panel.get_by_role("link", name=str(report))).to_be_visible()
    expect(panel).to_contain_text("None waiting.")  # no independence decision to acknowledge
    page.screenshot(path=artifacts_dir / "home-governance-lead-panel.png", full_page=True)

    panel.get_by_role("link", name="Open the governance dashboard").click()
    expect(page).to_have_url(path_is("/governance/"))
    person.goto("/")
    panel.get_by_role("link", name=str(report)).click()
    expect(page).to_have_url(path_is(f"/governance/reports/{report.pk}/"))
    person.goto("/")
    overdue.click()
    expect(page).to_have_url(path_is(f"/agreements/{agreement.pk}/"))
    person.assert_no_csp_errors()
