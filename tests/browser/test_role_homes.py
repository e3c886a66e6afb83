"""Each demo person signs in, in their own browser, and lands on a home page made for their role."""

import re

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_BACKUP_CODES, DEMO_PASSWORD, DEMO_PEOPLE, seed_people
from accounts.models import Role

from .conftest import path_is, sideways_overflow

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
    expect(page.get_by_role("status").filter(has_text="You used a backup code")).to_be_visible()


def _check_home(person, demo):
    page = person.page
    label = Role(demo.role).label
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {demo.full_name}")
    expect(page.locator("h1 ~ div .role-badge")).to_have_text([label])
    memberships = page.locator("#my-memberships")
    expect(memberships).to_contain_text(label)
    expect(memberships).to_contain_text(demo.organisation)
    if demo.directorate:
        expect(memberships).to_contain_text(demo.directorate)

    # Read from the DOM, so it holds whether or not the menu is collapsed (phone width).
    links = {
        text.strip()
        for text in page.locator("#main-nav .navbar-nav.me-auto .nav-link").all_text_contents()
    }
    expected = {"Home", "Training agreements", "Logbook", "Organisations"}
    if demo.role not in (Role.TRAINEE, Role.SUPERVISOR):
        expected.add("Governance")
    else:
        expected.add("Exports")
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
        assert sideways_overflow(person.page) == 0, f"{role}: home page scrolls sideways at {width} px"
        if viewport == "phone":
            # The collapsed menu opens and shows the same links, within the screen.
            person.page.get_by_role("button", name="Show navigation").click()
            expect(person.page.locator("#main-nav")).to_be_visible()
            # "show" comes once the opening animation has ended; a click on the name menu during
            # the animation can be lost on a busy machine.
            expect(person.page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
            expect(person.page.get_by_role("link", name="Organisations")).to_be_visible()
            person.page.locator("#main-nav .dropdown-toggle").click()
            expect(person.page.get_by_role("button", name="Sign out")).to_be_visible()
            person.page.wait_for_timeout(400)  # let the collapse animation finish
            person.page.screenshot(
                path=artifacts_dir / f"home-{role}-phone-menu.png", full_page=True
            )
        person.assert_no_csp_errors()
        person.context.close()
