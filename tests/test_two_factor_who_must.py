"""Who must give a second factor, and when the menu appears (issue 19: mutation testing found
``accounts.selectors``' two-factor rules for people without a role, staff accounts and half-done
enrolments unguarded). Every role requires two-factor (test_two_factor.py); these are the edges.
"""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User

from .conftest import sign_in_with_password_only
from .factories import make_member, make_user

pytestmark = pytest.mark.django_db

MENU = 'aria-label="Main navigation"'
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")


def test_a_person_with_no_role_and_no_device_sees_their_home_page_and_the_menu(client):
    """Someone whose memberships have all ended still signs in with a password alone."""
    sign_in_with_password_only(client, make_user())
    response = client.get("/")
    assert response.status_code == 200
    assert MENU in response.content.decode()


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_a_staff_or_superuser_account_without_a_role_must_still_enrol(client, flag):
    user = make_user()
    User.objects.filter(pk=user.pk).update(**{flag: True})
    sign_in_with_password_only(client, user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_a_person_with_no_role_who_turned_two_factor_on_gives_a_code_before_the_menu(client):
    user = make_user()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in_with_password_only(client, user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert MENU not in client.get(VERIFY).content.decode()


def test_enrolment_begun_but_never_confirmed_sends_the_person_back_to_setup(client, organisation):
    """Opening the setup page makes an unconfirmed device; signing in again must not ask for a
    code from it (nobody has ever shown it works), and shows no menu until enrolment is done."""
    user = make_member(Role.TRAINEE, organisation, second_factor=False)
    sign_in_with_password_only(client, user)
    assert client.get(SETUP).status_code == 200
    assert TOTPDevice.objects.filter(user=user, confirmed=False).exists()
    client.logout()
    sign_in_with_password_only(client, user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert MENU not in client.get(SETUP).content.decode()
