"""Fuzz the sign-in, second-factor, enrolment and password forms (accounts/forms.py and Django's
own password forms, as the app's URLs serve them)."""

import pytest
from django.urls import reverse
from hypothesis import given

from accounts.models import Role

from ..conftest import sign_in
from ..factories import TEST_PASSWORD, make_member
from .conftest import answer, fuzz
from .strategies import submissions

pytestmark = pytest.mark.django_db


def test_sign_in(visitor, organisation):
    person = make_member(Role.SUPERVISOR, organisation)
    url = reverse("accounts:login")

    @fuzz(20)
    @given(submissions({"username": person.email, "password": TEST_PASSWORD, "next": "/"}))
    def run(submission):
        answer(visitor, "post", url, submission)
        visitor.logout()

    run()


def test_second_factor_code(visitor, organisation):
    person = make_member(Role.SUPERVISOR, organisation)
    visitor.post(reverse("accounts:login"), {"username": person.email, "password": TEST_PASSWORD})
    url = reverse("accounts:two_factor_verify")

    @fuzz(15)
    @given(submissions({"code": "test-0001", "next": "/"}))
    def run(submission):
        answer(visitor, "post", url, submission)

    run()


def test_authenticator_enrolment(visitor, organisation):
    person = make_member(Role.TRAINEE, organisation)
    sign_in(visitor, person)
    url = reverse("accounts:two_factor_setup")
    visitor.get(url)  # creates the unconfirmed device the form confirms

    @fuzz(15)
    @given(submissions({"code": "123456", "next": "/"}))
    def run(submission):
        answer(visitor, "post", url, submission)

    run()


def test_password_change_and_reset(visitor, organisation):
    person = make_member(Role.TRAINEE, organisation)
    sign_in(visitor, person)
    change = reverse("accounts:password_change")
    reset = reverse("accounts:password_reset")
    valid = {"old_password": TEST_PASSWORD, "new_password1": "a-new-long-passphrase",
             "new_password2": "a-new-long-passphrase"}

    @fuzz(12)
    @given(submissions(valid), submissions({"email": person.email}))
    def run(change_submission, reset_submission):
        answer(visitor, "post", change, change_submission)
        answer(visitor, "post", reset, reset_submission)

    run()
