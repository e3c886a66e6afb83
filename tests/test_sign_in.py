"""Sign-in: e-mail and password, lockout, idle timeout, sign-out and password reset."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services import backup_codes_set
from audit.models import AuditEvent

from .conftest import sign_in
from .factories import TEST_BACKUP_CODES, TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"


def _attempt(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def test_trainee_signs_in_with_email_in_any_case_and_reaches_home(client, organisation, member):
    trainee = member(Role.TRAINEE, organisation, email="alex.morgan@example.org")
    response = _attempt(client, "Alex.Morgan@Example.org", TEST_PASSWORD)
    assert response.status_code == 302
    # Every role, trainees included, then gives a second factor.
    assert client.get("/")["Location"].startswith(reverse("accounts:two_factor_setup"))
    backup_codes_set(actor=None, user=trainee, codes=TEST_BACKUP_CODES)
    client.post(reverse("accounts:two_factor_verify"), {"code": TEST_BACKUP_CODES[0]})
    home = client.get("/")
    assert home.status_code == 200
    assert trainee.full_name in home.content.decode()
    assert AuditEvent.objects.filter(verb="account.signed_in", actor=trainee).exists()


def test_wrong_password_is_refused_with_a_clear_message(client, organisation, member):
    trainee = member(Role.TRAINEE, organisation)
    response = _attempt(client, trainee.email, "not-the-password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(verb="account.sign_in_failed").count() == 1


def test_eleventh_wrong_password_locks_until_the_cool_off_ends(
    client, organisation, member, settings
):
    user = member(Role.TRAINEE, organisation)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for attempt in range(1, 11):
            response = _attempt(client, user.email, f"wrong-password-{attempt}")
            assert response.status_code == 200, f"attempt {attempt} should not lock yet"
            assert "do not match an account" in response.content.decode()
        eleventh = _attempt(client, user.email, "wrong-password-11")
        assert eleventh.status_code == 429
        assert "Sign-in locked" in eleventh.content.decode()
        right = _attempt(client, user.email, TEST_PASSWORD)
        assert right.status_code == 429
        assert not client.get("/").wsgi_request.user.is_authenticated

    just_before = start + settings.AXES_COOLOFF_TIME - timedelta(seconds=5)
    with time_machine.travel(just_before, tick=False):
        assert _attempt(client, user.email, TEST_PASSWORD).status_code == 429

    after = start + settings.AXES_COOLOFF_TIME + timedelta(seconds=5)
    with time_machine.travel(after, tick=False):
        assert _attempt(client, user.email, TEST_PASSWORD).status_code == 302
        assert client.get("/").wsgi_request.user.is_authenticated


def test_lockout_is_per_username_and_address(client, organisation, member):
    user = member(Role.TRAINEE, organisation)
    colleague = member(Role.TRAINEE, organisation)
    for attempt in range(11):
        _attempt(client, user.email, f"wrong-{attempt}")
    assert _attempt(client, user.email, TEST_PASSWORD).status_code == 429
    # The same person from another address, and a colleague from this one, can still sign in.
    other_address = client.post(
        LOGIN, {"username": user.email, "password": TEST_PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert other_address.status_code == 302
    client.logout()
    assert _attempt(client, colleague.email, TEST_PASSWORD).status_code == 302


def test_session_ends_after_thirty_idle_minutes_but_not_while_in_use(client, organisation, member):
    trainee = member(Role.TRAINEE, organisation)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, trainee)
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert client.get("/").status_code == 200  # 25 idle minutes since the last request
    with time_machine.travel(start + timedelta(minutes=81), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_sign_out_needs_post_and_ends_the_session(client, organisation, member):
    trainee = member(Role.TRAINEE, organisation)
    sign_in(client, trainee)
    assert client.get("/account/logout/").status_code == 405
    assert client.post("/account/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_session_key_changes_at_sign_in(client, organisation, member):
    trainee = member(Role.TRAINEE, organisation)
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    sign_in(client, trainee)
    assert client.session.session_key != before


def test_password_reset_by_email_enforces_the_password_rules(client, organisation, member):
    trainee = member(Role.TRAINEE, organisation)
    client.post(reverse("accounts:password_reset"), {"email": trainee.email.upper()})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/account/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]

    too_short = client.post(set_url, {"new_password1": "Short-pw-1", "new_password2": "Short-pw-1"})
    assert "at least 12 characters" in too_short.content.decode()
    common = client.post(
        set_url, {"new_password1": "password1234", "new_password2": "password1234"}
    )
    assert "too common" in common.content.decode()

    new_password = "a-much-longer-passphrase-2026"
    done = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert _attempt(client, trainee.email, new_password).status_code == 302


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_deactivated_account_cannot_sign_in(client):
    user = make_user()
    user.is_active = False
    user.save()
    response = _attempt(client, user.email, TEST_PASSWORD)
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
