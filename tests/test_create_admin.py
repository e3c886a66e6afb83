"""The first administrator of a new installation (docs/deploy.md): `manage.py create_admin` makes
the account without a password, prints a one-time link to set it, and the first sign-in goes to
two-factor setup before anything else."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import Membership, Role, User
from audit.models import AuditEvent

NEW_PASSWORD = "a-long-new-password-for-the-admin"


def _create_admin(**options) -> str:
    out = StringIO()
    arguments = {
        "email": "It.Lead@Trust.example.org",
        "full_name": "Sam Carter",
        "organisation": "Northfield Hospitals NHS Trust",
        **options,
    }
    call_command("create_admin", *[f"--{k.replace('_', '-')}={v}" for k, v in arguments.items()],
                 stdout=out)  # fmt: skip
    return out.getvalue()


def test_the_first_administrator_sets_a_password_then_two_factor(client, db, settings):
    settings.SITE_URL = "https://training.example.org"
    output = _create_admin()

    user = User.objects.get(email="it.lead@trust.example.org")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.ADMINISTRATOR
    assert membership.organisation.name == "Northfield Hospitals NHS Trust"
    assert AuditEvent.objects.filter(verb="account.created").exists()
    [link] = [line for line in output.splitlines() if line.startswith("https://")]
    assert link.startswith("https://training.example.org/account/password/reset/")

    # The link: Django's reset view moves the token into the session and asks for the password.
    response = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert response.status_code == 200 and response.context["validlink"]
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    response = client.post(
        reverse("accounts:login"),
        {"username": "it.lead@trust.example.org", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    # Any page now sends them to set up two-factor first; the administration too.
    for page in ("home", "admin:index"):
        response = client.get(reverse(page))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_the_link_works_once(client, db, settings):
    settings.SITE_URL = "https://training.example.org"
    [link] = [line for line in _create_admin().splitlines() if line.startswith("https://")]
    response = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()

    again = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert again.context["validlink"] is False


def test_an_existing_account_is_refused(db):
    _create_admin()
    with pytest.raises(CommandError, match="already exists"):
        _create_admin(full_name="Someone Else")
    assert User.objects.count() == 1


def test_an_existing_organisation_is_used(db, organisation):
    _create_admin(organisation=organisation.name)
    assert Membership.objects.get().organisation == organisation


def test_bad_input_is_refused_with_the_reason(db):
    with pytest.raises(CommandError, match="valid email address"):
        _create_admin(email="not-an-address")
    assert not User.objects.exists()
