"""Sessions: a new key at sign-in; sign-out, a password change, deactivation by an administrator
and 30 idle minutes each end a session; and every signature asks for a fresh second factor and
records which one was used.

"Ended" means what a person sees: the next request is sent to the sign-in page, and replaying the
old cookie does not bring the session back.
"""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from agreements.services import agreement_version_submit
from signoffs.models import Signature

from ..agreements.conftest import build_world, draft
from ..conftest import sign_in
from ..factories import TEST_BACKUP_CODES, TEST_PASSWORD, OrganisationFactory, make_member

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"
COOKIE = settings.SESSION_COOKIE_NAME


def _is_signed_out(client) -> bool:
    response = client.get("/")
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def _session_key(client) -> str:
    return client.cookies[COOKIE].value


def _replay(key) -> Client:
    """A browser holding an old session cookie."""
    client = Client()
    client.cookies[COOKIE] = key
    return client


@pytest.fixture
def supervisor(db):
    return make_member(Role.SUPERVISOR, OrganisationFactory(), full_name="Dr Session INR")


def test_signing_in_gives_a_new_session_key(client, supervisor):
    # A session that exists before sign-in (planted by an attacker, say) must not become the
    # signed-in one: session fixation.
    before = client.session
    before["probe"] = "anonymous"
    before.save()
    anonymous_key = _session_key(client)
    sign_in(client, supervisor)
    assert _session_key(client) != anonymous_key
    assert not SessionStore().exists(anonymous_key)
    assert _is_signed_out(_replay(anonymous_key))
    assert not _is_signed_out(client)


def test_signing_out_ends_the_session(client, supervisor):
    sign_in(client, supervisor)
    key = _session_key(client)
    assert client.post("/account/logout/").status_code == 302
    assert _is_signed_out(client)
    assert not SessionStore().exists(key)
    assert _is_signed_out(_replay(key))


def test_a_password_change_ends_the_other_sessions(supervisor):
    laptop = sign_in(Client(), supervisor)
    phone = sign_in(Client(), supervisor, code_index=1)
    old_laptop_key = _session_key(laptop)
    new_password = "a-different-long-password-42"
    response = laptop.post(
        "/account/password/change/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    # Someone else holding a session (a stolen cookie, a shared computer) is out at once.
    assert _is_signed_out(phone)
    # The person who changed it stays in, on a new key; the old key is gone.
    assert not _is_signed_out(laptop)
    assert _session_key(laptop) != old_laptop_key
    assert _is_signed_out(_replay(old_laptop_key))


def _admin_form_data(response) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    data = {}

    def add(form, name):
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[form.add_prefix(name)] = "on"
        elif value is not None:
            data[form.add_prefix(name)] = value

    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if not field.disabled:
            add(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for inline_form in formset.forms:
            for name in inline_form.fields:
                add(inline_form, name)
    return data


def test_deactivation_by_an_administrator_ends_the_session(supervisor):
    person = sign_in(Client(), supervisor)
    administrator = make_member(Role.ADMINISTRATOR, OrganisationFactory(), full_name="Admin")
    admin = sign_in(Client(), administrator)
    change_url = f"/admin/accounts/user/{supervisor.pk}/change/"
    page = admin.get(change_url)
    assert page.status_code == 200
    data = _admin_form_data(page)
    data.pop("is_active")
    saved = admin.post(change_url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else ""
    supervisor.refresh_from_db()
    assert supervisor.is_active is False
    assert _is_signed_out(person)
    # Nor can they sign in again.
    refused = Client().post(LOGIN, {"username": supervisor.email, "password": TEST_PASSWORD})
    assert refused.status_code == 200
    assert _is_signed_out(person)


def test_thirty_idle_minutes_end_the_session(client, supervisor):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, supervisor)
        key = _session_key(client)
    # Every request renews the 30 minutes: 29 idle, then 29 more, is still one session.
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert not _is_signed_out(client)
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert not _is_signed_out(client)
    with time_machine.travel(start + timedelta(minutes=58 + 31), tick=False):
        assert _is_signed_out(client)
        assert _is_signed_out(_replay(key))


def test_the_idle_timeout_is_renewed_once_a_minute_not_written_on_every_page(client, supervisor):
    from django.contrib.sessions.models import Session

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, supervisor)
        key = _session_key(client)
        signed_in_expiry = Session.objects.get(pk=key).expire_date
    # Pages within the minute leave the session row alone (no write per request) ...
    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        assert not _is_signed_out(client)
        assert Session.objects.get(pk=key).expire_date == signed_in_expiry
    # ... the first page after it renews the 30 minutes from then.
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert not _is_signed_out(client)
        assert Session.objects.get(pk=key).expire_date == (
            start + timedelta(minutes=5) + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        )
    # Anonymous visitors get no session row from the renewal.
    before = Session.objects.count()
    Client().get(LOGIN)
    assert Session.objects.count() == before


# Signing after re-authentication -----------------------------------------------------------------


def _totp(device) -> str:
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()


def _sign(client, step, code):
    return client.post(f"/signoffs/steps/{step.pk}/sign/", {"decision": "approve", "code": code})


@pytest.fixture
def signing(db):
    world = build_world()
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    steps = {step.named_user_id: step for step in request.steps.filter(named_user__isnull=False)}
    world.lead_step = steps[world.lead_supervisor.pk]
    world.trainee_step = steps[world.trainee.pk]
    return world


def test_a_signature_needs_a_fresh_code_and_records_a_backup_code(client, signing):
    world = signing
    sign_in(client, world.lead_supervisor, code_index=0)
    # Signed in with two factors, and still: no code, no signature.
    assert _sign(client, world.lead_step, "").status_code == 200
    # The code spent at sign-in cannot be spent again on a signature.
    assert _sign(client, world.lead_step, TEST_BACKUP_CODES[0]).status_code == 200
    assert not Signature.objects.filter(step=world.lead_step).exists()
    # After a wrong code django-otp makes the next try wait (doubling each time): wait it out.
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        signed = _sign(client, world.lead_step, TEST_BACKUP_CODES[1])
    assert signed.status_code == 302, signed.context["form"].errors
    signature = Signature.objects.get(step=world.lead_step)
    assert signature.authentication == "password and single-use backup code"
    assert signature.signer == world.lead_supervisor
    # The method is inside the signature's hash: changing it afterwards breaks the chain.
    assert signature.compute_hash() == signature.hash
    assert "authentication" in signature.canonical_content()


def test_a_signature_refuses_the_sign_in_totp_code_and_records_totp(client, signing):
    world = signing
    trainee = world.trainee
    device = TOTPDevice.objects.create(user=trainee, name="phone", confirmed=True)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(LOGIN, {"username": trainee.email, "password": TEST_PASSWORD})
        code = _totp(device)
        assert client.post("/account/two-factor/verify/", {"code": code}).status_code == 302
        # Within the same 30 seconds the sign-in code is still "current", but it is spent.
        assert _sign(client, world.trainee_step, code).status_code == 200
        assert not Signature.objects.filter(step=world.trainee_step).exists()
    # The next 30-second step (which also outlasts the throttle after the refused code).
    with time_machine.travel(start + timedelta(seconds=device.step), tick=False):
        fresh = _totp(device)
        assert fresh != code
        assert _sign(client, world.trainee_step, fresh).status_code == 302
    signature = Signature.objects.get(step=world.trainee_step)
    assert signature.authentication == "password and authenticator app code (TOTP)"
    assert signature.compute_hash() == signature.hash
