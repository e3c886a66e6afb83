"""The agreement list and detail pages make the same number of queries for 5 agreements as
for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.services import agreement_amend

from ..conftest import sign_in
from .conftest import another_trainee_in_force, draft, sign_step, submit_and_sign_all

pytestmark = pytest.mark.django_db


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("viewer", ["training_lead", "administrator", "trainee"])
def test_list_and_detail_stay_flat_from_5_to_50(
    world, client, viewer, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed, _ = submit_and_sign_all(world, draft(world))
    for _ in range(4):
        draft(world)
    sign_in(client, getattr(world, viewer))
    pages = ["/agreements/", f"/agreements/{signed.agreement_id}/"]
    with_five = {path: _queries(client, path) for path in pages}

    for _ in range(45):
        draft(world)
    for path in pages:
        with django_assert_max_num_queries(with_five[path]):
            assert client.get(path).status_code == 200


def test_a_second_signing_round_costs_the_agreement_page_no_more_queries(world, client):
    """Each request's steps, their signatures, named signers and organisations are read with
    the requests: the page after a declined round and a new one reads as much as after the
    first (issue 19: the prefetches were unchecked)."""
    from agreements.services import agreement_version_submit

    version = draft(world).versions.get()
    first = agreement_version_submit(actor=world.training_lead, version=version)
    step = first.steps.get(label__startswith="Medical director, Northgate")
    sign_step(world, step, decision="decline", reason="Backfill is not funded yet.")
    sign_in(client, world.training_lead)
    page = f"/agreements/{version.agreement_id}/"
    one_round = _queries(client, page)
    second = agreement_version_submit(actor=world.training_lead, version=version)
    for step in list(second.steps.all())[:2]:
        sign_step(world, step)
    assert _queries(client, page) <= one_round


def test_an_earlier_version_opens_by_its_number(world, client):
    """Version 1 of an amended agreement opens at its own address, and version 2 at its own
    (issue 19: the number was unchecked: with two versions the page broke)."""
    agreement = draft(world)
    submit_and_sign_all(world, agreement)
    agreement_amend(actor=world.training_lead, agreement=agreement)
    sign_in(client, world.training_lead)
    for number, status in ((1, "In force"), (2, "Draft")):
        response = client.get(reverse("agreements:version", args=[agreement.pk, number]))
        assert response.status_code == 200
        page = response.content.decode()
        assert f"Version {number}" in page and status in page


def test_a_version_page_reads_its_named_supervisors_with_it(world, client):
    """One INR or two: the same queries for the version's page."""
    lead, second = world.lead_supervisor, world.second_supervisor
    _, one = another_trainee_in_force(world, full_name="Dr One", supervisors=[lead], lead=lead)
    _, two = another_trainee_in_force(
        world, full_name="Dr Two", supervisors=[lead, second], lead=lead
    )
    sign_in(client, world.training_lead)
    counts = [
        _queries(client, reverse("agreements:version", args=[v.agreement_id, v.number]))
        for v in (one, two)
    ]
    assert counts[0] == counts[1]
