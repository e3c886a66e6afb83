"""Fuzz the sign-in, second-factor, enrolment and password forms (accounts/forms.py and Django's
own password forms, as the app's URLs serve them)."""

import pytest
from axes.utils import reset as axes_reset
from django.urls import reverse

from accounts.models import Role

from ..conftest import sign_in
from ..factories import TEST_PASSWORD, make_member
from .conftest import fuzz_view

pytestmark = pytest.mark.django_db


def test_sign_in(visitor, organisation):
    person = make_member(Role.SUPERVISOR, organisation)
    # Each example is rolled back, failed attempts too, so no lockout builds up; reset anyway in
    # case a refused attempt was recorded outside the example.
    axes_reset()
    fuzz_view(
        visitor,
        "post",
        reverse("accounts:login"),
        {"username": person.email, "password": TEST_PASSWORD, "next": "/"},
        choices={"next": ["0", "//evil.example", "/\\evil", "https://evil.example/"]},
        max_examples=20,
    )


def test_second_factor_code(visitor, organisation):
    person = make_member(Role.SUPERVISOR, organisation)
    visitor.post(reverse("accounts:login"), {"username": person.email, "password": TEST_PASSWORD})
    fuzz_view(
        visitor,
        "post",
        reverse("accounts:two_factor_verify"),
        {"code": "test-0001", "next": "/"},
        choices={"next": ["0", "home", "//evil"]},
    )


def test_authenticator_enrolment(visitor, organisation):
    person = make_member(Role.TRAINEE, organisation)
    sign_in(visitor, person)
    url = reverse("accounts:two_factor_setup")
    visitor.get(url)  # creates the unconfirmed device the form confirms
    fuzz_view(
        visitor,
        "post",
        url,
        {"code": "123456", "next": "/"},
        choices={"code": ["000000", "12345678901234567"]},
    )


def test_password_change_and_reset(visitor, organisation):
    person = make_member(Role.TRAINEE, organisation)
    sign_in(visitor, person)
    fuzz_view(
        visitor,
        "post",
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
        max_examples=10,
    )
    fuzz_view(
        visitor,
        "post",
        reverse("accounts:password_reset"),
        {"email": person.email},
        max_examples=10,
    )
