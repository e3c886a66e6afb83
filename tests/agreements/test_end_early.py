"""Ending an agreement early: one rule (agreements.selectors.agreement_end_early_refusal) for the
page's button and the service. A draft or an agreement in force can end; one with a version
awaiting signatures cannot (it once offered "End early" there)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agreements.models import VersionStatus
from agreements.selectors import agreement_end_early_refusal
from agreements.services import agreement_amend, agreement_end_early, agreement_version_submit

from ..conftest import sign_in
from .conftest import draft, submit_and_sign_all

pytestmark = pytest.mark.django_db

REASON = "The trainee moved to another trust."


def _offers_end_early(client, agreement) -> bool:
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    return reverse("agreements:end", args=[agreement.pk]) in page


def test_awaiting_signatures_is_neither_offered_nor_allowed(client, world):
    agreement = draft(world)
    version = agreement.versions.get()
    agreement_version_submit(actor=world.training_lead, version=version)
    sign_in(client, world.training_lead)
    assert not _offers_end_early(client, agreement)
    refusal = agreement_end_early_refusal(agreement)
    assert refusal == (
        "A version of this agreement is awaiting signatures. It can end early once every "
        "party has signed it, or once a party declines it back to a draft."
    )
    with pytest.raises(ValidationError) as refused:
        agreement_end_early(actor=world.training_lead, agreement=agreement, reason=REASON)
    assert refused.value.messages == [refusal]
    # The page itself sends the person back, saying why, instead of a form that cannot work.
    response = client.post(
        reverse("agreements:end", args=[agreement.pk]), {"reason": REASON}, follow=True
    )
    assert refusal in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.AWAITING_SIGNATURES


def test_an_amendment_awaiting_signatures_keeps_the_agreement_from_ending(world):
    agreement = draft(world)
    submit_and_sign_all(world, agreement)
    amendment = agreement_amend(actor=world.training_lead, agreement=agreement)
    agreement_version_submit(actor=world.training_lead, version=amendment)
    with pytest.raises(ValidationError):
        agreement_end_early(actor=world.training_lead, agreement=agreement, reason=REASON)
    assert set(agreement.versions.values_list("status", flat=True)) == {
        VersionStatus.ACTIVE,
        VersionStatus.AWAITING_SIGNATURES,
    }


def test_a_draft_is_offered_and_ends(client, world):
    agreement = draft(world)
    sign_in(client, world.training_lead)
    assert _offers_end_early(client, agreement)
    response = client.post(reverse("agreements:end", args=[agreement.pk]), {"reason": REASON})
    assert response.status_code == 302
    assert agreement.versions.get().status == VersionStatus.ENDED_EARLY
    assert not _offers_end_early(client, agreement)
    assert agreement_end_early_refusal(agreement) == (
        "Only a draft or an agreement in force can end early: this one is complete or has ended."
    )
    assert client.get(reverse("agreements:end", args=[agreement.pk])).status_code == 302


def test_an_agreement_in_force_ends_with_its_draft_amendment(client, world):
    agreement = draft(world)
    version, _ = submit_and_sign_all(world, agreement)
    sign_in(client, world.training_lead)
    assert _offers_end_early(client, agreement)
    amendment = agreement_amend(actor=world.training_lead, agreement=agreement)
    assert _offers_end_early(client, agreement)
    ended = agreement_end_early(actor=world.training_lead, agreement=agreement, reason=REASON)
    assert ended == amendment
    version.refresh_from_db()
    amendment.refresh_from_db()
    assert version.status == amendment.status == VersionStatus.ENDED_EARLY
