"""Two-factor: required before any page for every role, trainees included (every role signs
something, and every signature asks for a second factor)."""

from base64 import b32decode
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from audit.models import AuditEvent

from .conftest import sign_in, sign_in_with_password_only
from .factories import TEST_BACKUP_CODES, make_member

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")


def _code_for(device):
    """The code an authenticator app shows now (time_machine moves "now" for django-otp too)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_must_enrol_before_any_page(client, organisation, role):
    user = make_member(role, organisation, second_factor=False)
    sign_in_with_password_only(client, user)
    for path in ("/", "/account/organisations/", f"/account/organisations/{organisation.pk}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(SETUP), path


def test_enrolment_confirms_with_a_code_and_issues_backup_codes(client, organisation):
    user = make_member(Role.SUPERVISOR, organisation, second_factor=False)
    sign_in_with_password_only(client, user)
    page = client.get(SETUP)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "totp-secret" in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown_key = b32decode(page.context["secret"].replace(" ", "") + "=" * 0)
    assert shown_key == device.bin_key

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        wrong_code = "000000" if _code_for(device) != "000000" else "111111"
        wrong = client.post(SETUP, {"code": wrong_code})
        assert wrong.status_code == 200
        assert "does not match" in wrong.content.decode()
        assert not TOTPDevice.objects.get(pk=device.pk).confirmed
        not_digits = client.post(SETUP, {"code": "abc"})
        assert "Enter the 6 digits" in not_digits.content.decode()

    with time_machine.travel(start + timezone.timedelta(seconds=5), tick=False):
        device.refresh_from_db()
        confirmed = client.post(SETUP, {"code": _code_for(device)})
    assert confirmed.status_code == 302
    codes_page = client.get(confirmed["Location"])
    assert len(codes_page.context["codes"]) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(verb="two_factor.enrolled", actor=user).exists()
    # The codes are shown once only.
    assert client.get(reverse("accounts:backup_codes")).status_code == 302


def test_after_enrolling_the_next_sign_in_asks_for_a_code(client, organisation):
    user = make_member(Role.SUPERVISOR, organisation, second_factor=False)
    sign_in_with_password_only(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(SETUP, {"code": _code_for(device)})
    client.post("/account/logout/")

    later = start + timezone.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        sign_in_with_password_only(client, user)
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(VERIFY)
        wrong = client.post(
            VERIFY, {"code": "123456" if _code_for(device) != "123456" else "654321"}
        )
        assert "not right" in wrong.content.decode()
    with time_machine.travel(later + timezone.timedelta(seconds=5), tick=False):
        device.refresh_from_db()
        right = client.post(VERIFY + "?next=/account/organisations/", {"code": _code_for(device)})
        assert right.status_code == 302
        assert right["Location"] == "/account/organisations/"
        assert client.get("/").status_code == 200


def test_a_backup_code_works_once(client, organisation, member):
    user = member(Role.CLINICAL_DIRECTOR, organisation)
    sign_in(client, user, code_index=3)
    client.post("/account/logout/")
    sign_in_with_password_only(client, user)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        reused = client.post(VERIFY, {"code": TEST_BACKUP_CODES[3]})
        assert reused.status_code == 200
        assert "not right" in reused.content.decode()
    with time_machine.travel(start + timezone.timedelta(seconds=5), tick=False):
        assert client.post(VERIFY, {"code": TEST_BACKUP_CODES[4].upper()}).status_code == 302


def test_repeated_wrong_codes_are_throttled(client, organisation, member):
    user = member(Role.MEDICAL_DIRECTOR, organisation)
    sign_in_with_password_only(client, user)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = client.post(VERIFY, {"code": "wrong-0001"})
        assert "not right" in first.content.decode()
        throttled = client.post(VERIFY, {"code": TEST_BACKUP_CODES[0]})
        # Straight after a failure the device refuses even a right code, and says why.
        assert throttled.status_code == 200
        assert "Too many wrong codes" in throttled.content.decode()
    with time_machine.travel(start + timezone.timedelta(seconds=3), tick=False):
        assert client.post(VERIFY, {"code": TEST_BACKUP_CODES[0]}).status_code == 302


def test_redirect_after_code_refuses_other_hosts(client, organisation, member):
    user = member(Role.SUPERVISOR, organisation)
    sign_in_with_password_only(client, user)
    response = client.post(VERIFY + "?next=https://evil.example/", {"code": TEST_BACKUP_CODES[0]})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_trainee_enrols_then_gives_a_code_at_every_sign_in(client, organisation):
    trainee = make_member(Role.TRAINEE, organisation, second_factor=False)
    sign_in_with_password_only(client, trainee)
    assert client.get("/")["Location"].startswith(SETUP)
    setup = client.get(SETUP).content.decode()
    assert "trainees included" in setup
    device = TOTPDevice.objects.get(user=trainee)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.post(SETUP, {"code": _code_for(device)}).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/account/logout/")
    with time_machine.travel(start + timezone.timedelta(minutes=1), tick=False):
        sign_in_with_password_only(client, trainee)
        assert client.get("/")["Location"].startswith(VERIFY)


def test_readme_login_page_and_security_page_state_the_same_rule(client, organisation, member):
    """One rule in four places: the middleware (above), the README, the login page and the
    security page all say every role, trainees included, gives a second factor."""
    readme = " ".join((Path(settings.BASE_DIR) / "README.md").read_text().split())
    assert "except trainee" not in readme and "optional for trainees" not in readme.lower()
    assert "Everyone, trainees included, confirms each sign-in and each signature" in readme
    assert "for every role, trainees included" in readme
    login = client.get(reverse("accounts:login")).content.decode()
    assert "Everyone, trainees included, confirms each sign-in and each signature" in login
    trainee = member(Role.TRAINEE, organisation)
    sign_in(client, trainee)
    security = client.get(reverse("accounts:security")).content.decode()
    assert "Everyone, trainees included, confirms each sign-in and each signature" in security
    assert "optional" not in security


def test_regenerating_backup_codes_replaces_the_old_ones(client, organisation, member):
    user = member(Role.GOVERNANCE_LEAD, organisation)
    sign_in(client, user)
    response = client.post(reverse("accounts:backup_codes_new"))
    assert response.status_code == 302
    new_codes = client.get(reverse("accounts:backup_codes")).context["codes"]
    stored = set(StaticDevice.objects.get(user=user).token_set.values_list("token", flat=True))
    assert stored == set(new_codes)
    assert not stored & set(TEST_BACKUP_CODES)


def test_admin_site_requires_an_administrator_who_gave_a_second_factor(
    client, organisation, member
):
    admin_user = member(Role.ADMINISTRATOR, organisation)
    sign_in_with_password_only(client, admin_user)
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": TEST_BACKUP_CODES[0]})
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/membership/").status_code == 200


def test_admin_site_is_closed_to_other_roles(client, organisation, member):
    director = member(Role.MEDICAL_DIRECTOR, organisation)
    sign_in(client, director)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert client.get("/admin/accounts/user/", follow=True).status_code == 403


def test_admin_sign_in_goes_through_the_app_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/login/?next=/admin/")


def test_an_administrator_cannot_read_anyones_totp_secret(client, organisation, member):
    person = member(Role.SUPERVISOR, organisation)
    device = TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    admin_user = member(Role.ADMINISTRATOR, organisation)
    sign_in(client, admin_user)
    base = "/admin/otp_totp/totpdevice"
    change = client.get(f"{base}/{device.pk}/change/")
    assert change.status_code == 200 and device.key not in change.content.decode()
    for page in ("config", "qrcode"):
        assert client.get(f"{base}/{device.pk}/{page}/").status_code == 403
        # A device that does not exist is refused the same way, not a 500.
        assert client.get(f"{base}/{device.pk + 999}/{page}/").status_code == 403
