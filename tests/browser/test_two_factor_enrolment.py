"""Acceptance: a supervisor with no device is made to enrol, then must give a code at every sign-in;
so is a trainee (every role signs something, and every signature asks for a second factor), and the
login, enrolment and security pages say so."""

import re
import time
from base64 import b32decode

from django.utils import timezone
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import Role
from accounts.services import membership_create, user_create

from ..factories import TEST_PASSWORD, OrganisationFactory, make_member
from .conftest import path_is, sideways_overflow

LOGIN = "/account/login/"
SETUP = "/account/two-factor/setup/"
VERIFY = "/account/two-factor/verify/"
STEP = 30  # TOTPDevice defaults: 30-second step, 6 digits, tolerance of one step either side.


def _sign_in(person, email):
    person.goto(LOGIN)
    person.page.get_by_label("E-mail address").fill(email)
    person.page.get_by_label("Password").fill(TEST_PASSWORD)
    person.page.get_by_role("button", name="Sign in").click()
    person.page.wait_for_load_state()


def _code_at_step(key: bytes, t: int) -> str:
    generator = TOTP(key, step=STEP)
    generator.time = t * STEP
    return f"{generator.token():06d}"


def _fresh_code(device: TOTPDevice) -> str:
    """A code the device will take now: after its last used step, within its tolerance window."""
    device.refresh_from_db()
    while True:
        now_t = int(time.time()) // device.step + device.drift
        target = max(now_t, device.last_t + 1)
        if target <= now_t + device.tolerance:
            return _code_at_step(device.bin_key, target)
        time.sleep(1)


def _supervisor_without_device(organisation):
    user = user_create(
        actor=None,
        email="new.supervisor@example.org",
        full_name="Dr Nadia Supervisor",
        password=TEST_PASSWORD,
        gmc_number="7654321",
    )
    membership_create(
        actor=None,
        user=user,
        role=Role.SUPERVISOR,
        organisation=organisation,
        valid_from=timezone.localdate(),
    )
    return user


def test_supervisor_enrols_then_gives_a_code_at_every_sign_in(
    live_server, open_browser, artifacts_dir
):
    organisation = OrganisationFactory(name="Riverside Test Hospitals NHS Trust")
    supervisor = _supervisor_without_device(organisation)
    person = open_browser("desktop")
    page = person.page

    # Password alone leads to enrolment, and nothing else opens until it is done.
    _sign_in(person, supervisor.email)
    expect(page).to_have_url(path_is(SETUP))
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    person.goto("/account/organisations/")
    expect(page).to_have_url(path_is(SETUP))
    # Last, so the page enrolment returns to afterwards (its ?next=) is home.
    person.goto("/")
    expect(page).to_have_url(path_is(SETUP))
    expect(page.locator('nav[aria-label="Main navigation"]')).to_have_count(0)

    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})*", secret), secret
    expect(page.locator(".qr-code svg")).to_be_visible()
    page.screenshot(path=artifacts_dir / "two-factor-setup.png", full_page=True)
    assert _qr_code_is_whole(page), "the QR code is cropped: an app could not scan it"

    # The same page on a phone, in its own browser (same person, same unfinished enrolment key).
    phone = open_browser("phone")
    _sign_in(phone, supervisor.email)
    expect(phone.page).to_have_url(path_is(SETUP))
    assert phone.page.locator("#totp-secret").inner_text().strip() == secret
    phone.page.screenshot(path=artifacts_dir / "two-factor-setup-phone.png", full_page=True)
    assert sideways_overflow(phone.page) == 0, "the enrolment page scrolls sideways at 375 px"
    assert _qr_code_is_whole(phone.page), "the QR code is cropped on a phone"
    phone.assert_no_csp_errors()
    phone.context.close()

    # Enter the code the authenticator app would show now.
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm and finish enrolment").click()
    expect(page).to_have_url(path_is("/account/two-factor/backup-codes/"))
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    codes = page.locator("#backup-codes li").all_inner_texts()
    assert len(codes) == 10, codes
    assert len(set(codes)) == 10, codes
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c.strip()) for c in codes), codes
    confirmation = page.locator(".nhsuk-notification-banner").filter(
        has_text="Two-factor authentication is on"
    )
    expect(confirmation).to_be_visible()
    page.screenshot(path=artifacts_dir / "two-factor-backup-codes.png", full_page=True)

    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page).to_have_url(path_is("/"))
    expect(page.get_by_role("heading", name=f"Welcome, {supervisor.full_name}")).to_be_visible()
    expect(page.locator(".role-badge").first).to_have_text("Supervisor (INR)")
    page.screenshot(path=artifacts_dir / "two-factor-home.png", full_page=True)

    device = TOTPDevice.objects.get(user=supervisor, confirmed=True)

    # Sign out from the account links in the header.
    page.locator('nav[aria-label="Account"]').get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(path_is(LOGIN))
    person.goto("/")
    expect(page).to_have_url(path_is(LOGIN))

    # Signing in again asks for a code.
    _sign_in(person, supervisor.email)
    expect(page).to_have_url(path_is(VERIFY))
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    person.goto("/")
    expect(page).to_have_url(path_is(VERIFY))

    # A wrong code: an error beside the field, and still on the page.
    page.get_by_label("Code").fill(_wrong_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(path_is(VERIFY))
    field = page.get_by_label("Code")
    expect(field).to_have_class(re.compile(r"\bnhsuk-input--error\b"))
    expect(field).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_code-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("That code is not right")
    # NHS.UK puts the message right above the box it is about, and says it at the top too.
    field_box, error_box = field.bounding_box(), error.bounding_box()
    gap = field_box["y"] - (error_box["y"] + error_box["height"])
    assert 0 <= gap < 24, f"the error is {gap} px from the field"
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(
        summary.get_by_role("link", name=re.compile("That code is not right"))
    ).to_have_attribute("href", "#id_code")
    page.screenshot(path=artifacts_dir / "two-factor-verify-wrong-code.png", full_page=True)

    # The wrong code throttles the devices for a second (OTP_*_THROTTLE_FACTOR = 1).
    time.sleep(1.5)
    field.fill(_fresh_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(path_is("/"))
    expect(page.get_by_role("heading", name=f"Welcome, {supervisor.full_name}")).to_be_visible()

    person.assert_no_csp_errors()


def test_a_trainee_is_made_to_enrol_too_and_every_page_says_so(
    live_server, open_browser, artifacts_dir
):
    organisation = OrganisationFactory()
    trainee = make_member(Role.TRAINEE, organisation, full_name="Dr Tess Trainee")
    person = open_browser("desktop")
    page = person.page

    person.goto(LOGIN)
    rule = "Everyone, trainees included, confirms each sign-in and each signature"
    expect(page.locator("#second-factor-rule")).to_contain_text(rule)
    page.screenshot(path=artifacts_dir / "two-factor-rule-login.png", full_page=True)

    _sign_in(person, trainee.email)
    expect(page).to_have_url(path_is(SETUP))
    expect(page.get_by_text("trainees included")).to_be_visible()
    person.goto("/")
    expect(page).to_have_url(path_is(SETUP))
    page.screenshot(path=artifacts_dir / "two-factor-rule-trainee-setup.png", full_page=True)

    secret = page.locator("#totp-secret").inner_text().strip().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm and finish enrolment").click()
    expect(page).to_have_url(path_is("/account/two-factor/backup-codes/"))
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_role("heading", name="Welcome, Dr Tess Trainee")).to_be_visible()

    person.goto("/account/security/")
    expect(page.locator("#second-factor-rule")).to_contain_text(rule)
    expect(page.get_by_text("optional")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "two-factor-rule-security.png", full_page=True)
    person.assert_no_csp_errors()


def _wrong_code(device: TOTPDevice) -> str:
    now_t = int(time.time()) // device.step + device.drift
    near = {_code_at_step(device.bin_key, t) for t in range(now_t - 3, now_t + 4)}
    return next(c for c in ("000000", "123456", "999999", "424242") if c not in near)


def _qr_code_is_whole(page) -> bool:
    """The drawn symbol lies inside the box the SVG is shown in (an SVG without a viewBox is
    cropped, not scaled, when CSS makes it narrower than its width attribute)."""
    return page.evaluate(
        """() => {
            const svg = document.querySelector('.qr-code svg');
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('path, rect')].every((shape) => {
                const r = shape.getBoundingClientRect();
                return r.left >= box.left - 1 && r.top >= box.top - 1
                    && r.right <= box.right + 1 && r.bottom <= box.bottom + 1;
            });
        }"""
    )
