"""The progress page says where a request stands (issue 13, items 7 and 12): no second request is
offered while one waits, and dates read "4 Dec 2026", never ISO."""

import pytest
from django.utils import timezone

from phases.services import progression_request_make

from ..conftest import sign_in
from .conftest import meet_phase_one

pytestmark = pytest.mark.django_db


def _page(client, world):
    return client.get(f"/progress/{world.agreement.pk}/").content.decode()


def test_while_a_request_waits_the_page_says_so_and_offers_no_other(small_world, client):
    meet_phase_one(small_world)
    sign_in(client, small_world.trainee)
    assert "Request the move to phase 2" in _page(client, small_world)

    progression_request_make(agreement=small_world.agreement, actor=small_world.trainee)
    page = _page(client, small_world)

    assert "Request the move to phase 2" not in page
    assert f'action="/progress/{small_world.agreement.pk}/request/"' not in page
    assert "A request is waiting for signatures: move to the next phase" in page


def test_the_evidence_as_judged_is_dated_as_every_other_date(small_world, client):
    meet_phase_one(small_world)
    request = progression_request_make(agreement=small_world.agreement, actor=small_world.trainee)
    sign_in(client, small_world.trainee)
    page = _page(client, small_world)

    today = timezone.localdate()
    assert f"The evidence as judged on {today.day} {today:%b %Y}" in page
    assert request.snapshot["judged_at"][:10] not in page


def test_the_agreement_says_what_each_signed_off_criterion_requires(trainee_world, client):
    """Issue 13, item 12: the Required column names the curve's limit and the signers, not a bare
    "Signed off"."""
    sign_in(client, trainee_world.trainee)
    page = client.get(f"/agreements/{trainee_world.agreement.pk}/").content.decode()

    assert "Acceptable curve (crosses the lower limit)" in page
    assert "Signed off by 2 INRs" in page and "Signed off by 1 INR<" in page
    assert "<td>Signed off</td>" not in page
