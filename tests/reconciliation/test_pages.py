"""Reconciliation's pages, as each person uses them (issue 16), and their query counts."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from reconciliation.models import ListOperator, SampledCase
from reconciliation.sample import quarter_of

from ..conftest import sign_in
from .conftest import PERIOD, TODAY, csv_upload, import_list, row

pytestmark = pytest.mark.django_db
DAY = TODAY - timedelta(days=5)


def _form(world, rows):
    return {
        "site": world.site.pk,
        "period_start": PERIOD[0].isoformat(),
        "period_end": PERIOD[1].isoformat(),
        "file": csv_upload(rows),
    }


def test_the_training_lead_uploads_a_list_and_sees_problems_by_row(world, client):
    sign_in(client, world.training_lead)
    page = client.get(reverse("reconciliation:list_upload"))
    assert page.status_code == 200 and "Upload a procedure list" in page.content.decode()
    bad = client.post(
        reverse("reconciliation:list_upload"), _form(world, [row(DAY, "ACC-1", "12")])
    )
    text = bad.content.decode()
    assert bad.status_code == 200 and "Nothing was imported" in text
    assert "A GMC number is 7 digits." in text and 'id="list-problems"' in text
    good = client.post(
        reverse("reconciliation:list_upload"),
        _form(world, [row(DAY, "ACC-1", world.trainee.gmc_number)]),
        follow=True,
    )
    text = good.content.decode()
    assert "1 procedures imported and matched" in text and "Procedure list" in text
    home = client.get(reverse("reconciliation:home")).content.decode()
    assert "procedure-lists" in home and world.site.name in home


def test_the_trainee_answers_a_not_logged_entry(world, client):
    import_list(
        world,
        [row(DAY, "ACC-1", world.trainee.gmc_number), row(DAY, "ACC-2", world.trainee.gmc_number)],
    )
    sign_in(client, world.trainee)
    home = client.get(reverse("home")).content.decode()
    assert "not in your logbook" in home and 'id="inbox-not-logged"' in home
    page = client.get(reverse("reconciliation:not_logged")).content.decode()
    assert page.count("I was not involved") == 2
    first, second = ListOperator.objects.order_by("pk")
    logged = client.get(reverse("reconciliation:not_logged_log", args=[first.pk]))
    assert logged.status_code == 302
    assert logged["Location"] == (
        f"{reverse('caselogs:new')}?performed_on={DAY.isoformat()}&site={world.site.pk}"
    )
    form = client.get(logged["Location"]).content.decode()
    assert f'<option value="{world.site.pk}" selected>' in form
    assert "Accession number or event id" in form
    response = client.post(reverse("reconciliation:not_logged_not_involved", args=[second.pk]))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.response == ListOperator.Response.NOT_INVOLVED


def test_the_training_lead_draws_a_sample_and_records_findings(world, client):
    from ..caselogs.conftest import log_verified_case

    for n in range(3):
        log_verified_case(world, reference=f"MT-{n}", performed_on=TODAY - timedelta(days=1))
    year, quarter = quarter_of(TODAY - timedelta(days=1))
    sign_in(client, world.training_lead)
    response = client.post(
        reverse("reconciliation:sample_draw"),
        {
            "organisation": world.centre.pk,
            "year": year,
            "quarter": quarter,
            "percent": 10,
            "minimum": 5,
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Audit sample drawn: 3 cases." in text and 'id="sample-seed"' in text
    sampled = SampledCase.objects.first()
    url = reverse("reconciliation:sampled_case", args=[sampled.sample_id, sampled.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"confirmed": "confirmed", "role": "primary_operator", "outcome": "agrees"},
        follow=True,
    )
    assert "1 of 3 recorded; 1 confirmed" in response.content.decode()
    # The centre's medical director reads the sample, and may not record.
    director = Client()
    sign_in(director, world.centre_medical_director)
    page = director.get(reverse("reconciliation:sample_detail", args=[sampled.sample_id]))
    assert (
        page.status_code == 200
        and ">Record<span" not in page.content.decode().split("sampled-cases")[1]
    )
    assert director.get(url).status_code == 403


@pytest.mark.parametrize("entries", [1, 12])
def test_list_pages_read_a_fixed_number_of_queries(
    world, client, entries, django_assert_max_num_queries
):
    for n in range(entries):
        import_list(
            world,
            [row(DAY - timedelta(days=n), f"ACC-{n}", world.trainee.gmc_number)],
            period=(DAY - timedelta(days=n), DAY - timedelta(days=n)),
        )
    trainee = Client()
    sign_in(trainee, world.trainee)
    sign_in(client, world.training_lead)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reconciliation:home")).status_code == 200
    with django_assert_max_num_queries(12):
        assert trainee.get(reverse("reconciliation:not_logged")).status_code == 200
