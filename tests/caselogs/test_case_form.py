"""The case form as a trainee uses it: quick entry saves, bad input shows beside its field, and
the site and supervisor are pre-filled from the previous case."""

from datetime import date, timedelta

import pytest

from caselogs.models import Case

from ..conftest import sign_in

pytestmark = pytest.mark.django_db


def _post_data(world, **overrides):
    data = {
        "performed_on": (date.today() - timedelta(days=1)).isoformat(),
        "reference": "NIGHT-7",
        "site": world.site.pk,
        "out_of_hours": "true",
        "procedure": "mt",
        "trainee_role": "primary_operator",
        "supervisor": world.lead_supervisor.pk,
        "supervision_mode": "scrubbed",
        "final_etici": "2c",
        "passes": "1",
    }
    data.update(overrides)
    return data


def test_quick_entry_alone_logs_a_case(logbook, client):
    sign_in(client, logbook.trainee)
    response = client.post("/logbook/new/", _post_data(logbook))
    assert response.status_code == 302, response.context["form"].errors
    case = Case.objects.get()
    assert case.out_of_hours and case.first_pass_effect is True and case.status == "submitted"


@pytest.mark.parametrize("field,value,message", [
    ("performed_on", (date.today() + timedelta(days=2)).isoformat(), "future"),
    ("passes", "25", "less than or equal to 20"),
    ("final_etici", "", "final eTICI"),
    ("door_to_puncture_minutes", "900", "hours were entered as minutes"),
    ("reflection", "Seen at home, postcode M1 1AE", "postcode"),
    ("age", "7", "greater than or equal to 16"),
    ("puncture_to_reperfusion_minutes", "95", "longer than the whole procedure"),
])
def test_bad_input_shows_beside_its_field_and_saves_nothing(logbook, client, field, value, message):
    sign_in(client, logbook.trainee)
    # A procedure of 60 minutes throughout, for the reperfusion time to be judged against.
    response = client.post("/logbook/new/", _post_data(logbook, procedure_minutes="60",
                                                       **{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert f'id="error_1_id_{field}"' in response.content.decode() or field in response.content.decode()
    assert not Case.objects.exists()


def test_the_next_case_starts_with_the_last_site_and_supervisor(logbook, client):
    sign_in(client, logbook.trainee)
    client.post("/logbook/new/", _post_data(logbook, supervisor=logbook.second_supervisor.pk))
    form = client.get("/logbook/new/").context["form"]
    assert form.initial["supervisor"] == logbook.second_supervisor.pk
    assert form.initial["site"] == logbook.site.pk
