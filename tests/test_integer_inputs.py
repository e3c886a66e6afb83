"""Integers no database column can hold, posted where a choice or an id is expected, are refused as
invalid choices on both databases, never a 500 (SQLite raised OverflowError on `in`; found by
tests/fuzz/test_agreement_forms.py on /agreements/new/ and /agreements/<id>/edit/)."""

import pytest
from django import forms
from django.urls import reverse

from accounts.models import User

from .agreements.conftest import draft, world  # noqa: F401  (fixture)
from .conftest import sign_in
from .fuzz.test_agreement_forms import terms_as_posted

pytestmark = pytest.mark.django_db

BEYOND = ["99999999999999999999", "9223372036854775808", "-9223372036854775809", "-" + "9" * 40]


@pytest.mark.parametrize("value", BEYOND)
def test_a_choice_beyond_any_column_is_not_a_valid_choice(value):
    User.objects.create_user(email="someone@example.org", password=None, full_name="Someone")
    for field, data in (
        (forms.ModelChoiceField(User.objects.all()), value),
        (forms.ModelMultipleChoiceField(User.objects.all()), [value]),
        (forms.ModelMultipleChoiceField(User.objects.all()), [value, "1"]),
    ):
        with pytest.raises(forms.ValidationError) as refused:
            field.clean(data)
        assert refused.value.code in ("invalid_choice", "invalid_pk_value")
    assert list(User.objects.filter(pk__in=[int(value)])) == []
    assert User.objects.filter(pk__in=[int(value), User.objects.get().pk]).count() == 1


def _post_huge(client, url, valid):
    huge = BEYOND[0]
    response = client.post(
        url,
        {
            **valid,
            "supervisors": [huge],
            "lead_supervisor": huge,
            "governance_lead": huge,
            "employer": huge,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    for name in ("supervisors", "lead_supervisor", "governance_lead", "employer"):
        assert any("valid choice" in error for error in form.errors[name]), name


def test_the_agreement_forms_refuse_them_beside_the_field(client, world):
    sign_in(client, world.training_lead)
    agreement = draft(world)
    _post_huge(
        client,
        reverse("agreements:new"),
        {**terms_as_posted(world), "trainee": str(world.trainee.pk)},
    )
    _post_huge(client, reverse("agreements:edit", args=[agreement.pk]), terms_as_posted(world))
