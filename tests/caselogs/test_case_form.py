"""The case form as a trainee uses it: quick entry saves, bad input shows beside its field, and
the site and supervisor are pre-filled from the previous case."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

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


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("performed_on", (date.today() + timedelta(days=2)).isoformat(), "future"),
        ("passes", "25", "less than or equal to 20"),
        ("final_etici", "", "final eTICI"),
        ("door_to_puncture_minutes", "900", "hours were entered as minutes"),
        ("reflection", "Seen at home, postcode M1 1AE", "postcode"),
        ("age", "7", "greater than or equal to 16"),
        ("puncture_to_reperfusion_minutes", "95", "longer than the whole procedure"),
    ],
)
def test_bad_input_shows_beside_its_field_and_saves_nothing(logbook, client, field, value, message):
    sign_in(client, logbook.trainee)
    # A procedure of 60 minutes throughout, for the reperfusion time to be judged against.
    response = client.post(
        "/logbook/new/", _post_data(logbook, procedure_minutes="60", **{field: value})
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    page = response.content.decode()
    # Beside its field, and listed in the error summary at the top with a link to the field.
    assert f'id="id_{field}-error"' in page
    summary = page.split('class="nhsuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    anchor = f"id_{field}_day" if field == "performed_on" else f"id_{field}"
    assert f'href="#{anchor}"' in summary
    assert page.index("nhsuk-error-summary") < page.index("<h1")
    assert not Case.objects.exists()


def test_the_next_case_starts_with_the_last_site_and_supervisor(logbook, client):
    sign_in(client, logbook.trainee)
    client.post("/logbook/new/", _post_data(logbook, supervisor=logbook.second_supervisor.pk))
    form = client.get("/logbook/new/").context["form"]
    assert form.initial["supervisor"] == logbook.second_supervisor.pk
    assert form.initial["site"] == logbook.site.pk


def _date_in_boxes(page: str, name: str) -> date:
    """The date a date field's three boxes (day, month, year) hold on the page."""
    parts = {
        part: re.search(rf'name="{name}_{part}"[^>]*value="(\d+)"', page)
        or re.search(rf'value="(\d+)"[^>]*name="{name}_{part}"', page)
        for part in ("day", "month", "year")
    }
    found = {part: int(match.group(1)) for part, match in parts.items() if match}
    assert len(found) == 3, found
    return date(found["year"], found["month"], found["day"])


def test_a_new_case_starts_today_and_the_next_one_on_the_day_just_logged(logbook, client):
    """Issue 13 item 9."""
    sign_in(client, logbook.trainee)
    today = timezone.localdate()
    page = client.get("/logbook/new/").content.decode()
    assert _date_in_boxes(page, "performed_on") == today
    day = today - timedelta(days=3)
    response = client.post(
        "/logbook/new/", _post_data(logbook, performed_on=day.isoformat(), another="1")
    )
    assert response.status_code == 302 and response.url.startswith("/logbook/new/")
    page = client.get(response.url).content.decode()
    assert _date_in_boxes(page, "performed_on") == day
    # A day in the future, or no day at all, starts today.
    for given in ((today + timedelta(days=2)).isoformat(), "someday"):
        page = client.get(f"/logbook/new/?performed_on={given}").content.decode()
        assert _date_in_boxes(page, "performed_on") == today


@pytest.mark.parametrize("procedure,required", [("mt", True), ("diagnostic_angiogram", False)])
def test_final_etici_and_passes_are_marked_required_for_a_thrombectomy(
    logbook, client, procedure, required
):
    """Refused empty for a thrombectomy, so marked required then: no "(optional)" in the label
    (the NHS.UK way: optional fields are the ones marked) and aria-required on the control
    (case_form.js keeps both in step with the procedure)."""
    sign_in(client, logbook.trainee)
    # Sent without a reference, so the form comes back whatever the procedure.
    response = client.post(
        "/logbook/new/",
        _post_data(logbook, procedure=procedure, reference="", final_etici="", passes=""),
    )
    page = response.content.decode()
    for name in ("final_etici", "passes"):
        control = f'name="{name}"'
        tag = page.split(control, 1)[0].rsplit("<", 1)[1] + page.split(control, 1)[1].split(">")[0]
        assert ('aria-required="true"' in tag) is required, tag
        assert 'data-required-for="mt"' in tag
        label = re.split(rf'<label[^>]*\sfor="id_{name}"', page, maxsplit=1)[1]
        label = label.split(">", 1)[1].split("</label>")[0]
        assert ("(optional)" not in label) is required, label
        # Refused empty with the rule's own words, beside the field, only for a thrombectomy.
        assert (f'id="id_{name}-error"' in page) is required
    assert "case_form.js" in page
