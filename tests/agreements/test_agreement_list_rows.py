"""The agreements list: each agreement's row shows its newest version (number, employer,
training centre and status), so an amendment in progress is seen as such, not the version it
will replace."""

import pytest
from django.urls import reverse

from agreements.services import agreement_amend

from ..conftest import sign_in
from .conftest import draft, submit_and_sign_all

pytestmark = pytest.mark.django_db


def _row_of(page: str, reference: str) -> str:
    start = page.index(reference)
    return page[start : page.index("</tr>", start)]


def test_each_row_shows_the_newest_version_of_its_agreement(client, world):
    version, _ = submit_and_sign_all(world, draft(world))
    agreement = version.agreement
    agreement_amend(actor=world.training_lead, agreement=agreement)
    sign_in(client, world.training_lead)

    page = client.get(reverse("agreements:list")).content.decode()

    row = _row_of(page, agreement.reference)
    assert world.trainee.full_name in row
    assert version.employer.name in row and version.training_centre.name in row
    assert "Version </span>2</td>" in row
    assert "Draft" in row and "Active" not in row
