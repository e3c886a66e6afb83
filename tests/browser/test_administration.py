"""The administration as an administrator sees it: their name as written (not "WELCOME,
PROGRAMME"), readable section names for the sign-in apps (not OTP_STATIC, OTP_TOTP, AXES),
document kinds by their label, 24-hour times, and no request that answers 404 (the favicon did).

Screenshots: admin-index.png, admin-documents.png, admin-document.png.
"""

import re

from playwright.sync_api import expect

from accounts.models import Role
from documents.models import GeneratedDocument

from ..agreements.conftest import build_world, draft, submit_and_sign_all
from ..factories import make_member
from .conftest import browser_sign_in

TWELVE_HOUR = re.compile(r"\b[ap]\.?m\.?\b", re.IGNORECASE)
TWENTY_FOUR_HOUR = re.compile(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}")


def test_the_administration_reads_as_the_app_does(live_server, open_browser, artifacts_dir):
    world = build_world()
    version, _ = submit_and_sign_all(world, draft(world))
    document = GeneratedDocument.objects.get(kind="agreement", subject_id=version.pk)
    administrator = make_member(
        Role.ADMINISTRATOR, world.employer, full_name="Programme Administrator"
    )
    person = open_browser("desktop")
    page = person.page
    not_found = []
    page.on("response", lambda r: r.status == 404 and not_found.append(r.url))
    browser_sign_in(person, administrator)

    person.goto("/admin/")
    tools = page.locator("#user-tools")
    expect(tools).to_contain_text("Programme Administrator")
    name = tools.locator(".person-name")
    assert name.evaluate("e => getComputedStyle(e).textTransform") == "none"
    assert name.inner_text() == "Programme Administrator"  # as shown, not in capitals
    for section in ("Backup codes", "Authenticator apps", "Sign-in lockouts"):
        expect(page.locator(f"caption:has-text('{section}')").first).to_be_visible()
    body = page.locator("#content-main").inner_text()
    for raw in ("OTP_STATIC", "OTP_TOTP", "AXES", "Otp_Static", "Otp_Totp"):
        assert raw not in body, raw
    page.screenshot(path=artifacts_dir / "admin-index.png", full_page=True)

    person.goto("/admin/documents/generateddocument/")
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_contain_text("Signed training agreement")
    expect(page.locator("#changelist-filter")).to_contain_text("Signed training agreement")
    page.screenshot(path=artifacts_dir / "admin-documents.png", full_page=True)

    # Django's own look, nothing of Bootstrap; a link inside a line of text is underlined, so it
    # is told apart by more than its colour (issue 14: axe's link-in-text-block).
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href || '')")
    assert not [href for href in sheets if "bootstrap" in href.lower()], sheets
    crumb = page.locator("div.breadcrumbs a").first
    assert "underline" in crumb.evaluate("e => getComputedStyle(e).textDecorationLine")
    # Like every page, the administration links the accessibility statement from its footer.
    statement = page.locator("#footer").get_by_role("link", name="Accessibility statement")
    expect(statement).to_have_attribute("href", "/accessibility/")

    person.goto(f"/admin/documents/generateddocument/{document.pk}/change/")
    form = page.locator("#content-main")
    expect(form).to_contain_text("Signed training agreement")
    created = form.locator(".field-created_at .readonly").inner_text()
    assert TWENTY_FOUR_HOUR.search(created), created
    assert not TWELVE_HOUR.search(form.inner_text())
    page.screenshot(path=artifacts_dir / "admin-document.png", full_page=True)

    assert not not_found, f"answered 404: {not_found}"
    person.assert_no_csp_errors()
