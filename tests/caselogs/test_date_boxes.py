"""Dates as three boxes, day, month and year (NHS.UK date input, issue 14): typed as a person
types them, refused beside the field when a part is missing or wrong, and shown back in the boxes
when a case is edited."""

import re
from datetime import date, timedelta

import pytest

from caselogs.models import Case

from ..conftest import sign_in
from .test_case_form import _post_data

pytestmark = pytest.mark.django_db


def _boxes(day, month, year):
    return {"performed_on_day": day, "performed_on_month": month, "performed_on_year": year}


def _without_iso_date(data):
    data.pop("performed_on")
    return data


def test_a_date_typed_in_three_boxes_without_leading_zeros_is_saved(logbook, client):
    when = date.today() - timedelta(days=3)
    sign_in(client, logbook.trainee)
    data = _without_iso_date(_post_data(logbook))
    response = client.post(
        "/logbook/new/", {**data, **_boxes(str(when.day), str(when.month), str(when.year))}
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Case.objects.get().performed_on == when


@pytest.mark.parametrize(
    "day,month,year",
    [
        ("5", "", "2026"),
        ("", "", "2026"),
        ("31", "2", "2026"),
        ("5", "3", "twenty"),
        ("5", "3", "26"),
    ],
)
def test_a_missing_or_impossible_part_is_refused_beside_the_date_and_nothing_is_saved(
    logbook, client, day, month, year
):
    sign_in(client, logbook.trainee)
    data = _without_iso_date(_post_data(logbook))
    response = client.post("/logbook/new/", {**data, **_boxes(day, month, year)})
    assert response.status_code == 200
    assert response.context["form"].errors["performed_on"]
    page = response.content.decode()
    # The message sits in the date's own group, and the summary's link lands on the day box.
    group = re.search(r'id="div_id_performed_on".*?</fieldset>', page, re.S)
    assert group and 'class="nhsuk-error-message" id="id_performed_on-error"' in group.group(0)
    assert 'href="#id_performed_on_day"' in page
    # What was typed stays in the boxes, so nothing typed is lost.
    if year:
        assert re.search(rf'name="performed_on_year"[^>]*value="{year}"', page) or re.search(
            rf'value="{year}"[^>]*name="performed_on_year"', page
        )
    assert not Case.objects.exists()


def test_editing_a_case_shows_its_date_in_the_three_boxes(logbook, client):
    when = date.today() - timedelta(days=10)
    sign_in(client, logbook.trainee)
    client.post("/logbook/new/", _post_data(logbook, performed_on=when.isoformat()))
    case = Case.objects.get()
    page = client.get(f"/logbook/{case.pk}/edit/").content.decode()
    for part, value in (("day", when.day), ("month", when.month), ("year", when.year)):
        box = re.search(rf'<input[^>]*name="performed_on_{part}"[^>]*>', page)
        assert box and f'value="{value}"' in box.group(0), part
    assert re.search(r'<label[^>]*for="id_performed_on_day"[^>]*>\s*Day\s*</label>', page)
