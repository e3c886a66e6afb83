"""Acceptance (issue 16): after an import and a matching run, no table (history and audit
included) holds a raw accession number, nor does any page, log line or e-mail. The numbers are
made-up tokens that could appear nowhere else, so finding one anywhere is a leak."""

import logging
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.test import Client
from django.urls import reverse

from reconciliation.models import MatchState
from reconciliation.selectors import case_state

from ..conftest import sign_in
from .conftest import PERIOD, TODAY, csv_upload, row

pytestmark = pytest.mark.django_db
DAY = TODAY - timedelta(days=5)
RAW = ["QZX-40817", "QZX-40818", "QZX-40819", "QZX-40820"]
# How a number may be written down: as given, normalised (separators gone), lower case.
FORMS = [form for raw in RAW for form in (raw, raw.replace("-", ""), raw.lower())]


def _text_columns(model):
    return [
        field.column
        for field in model._meta.concrete_fields
        if isinstance(
            field, (models.CharField, models.TextField, models.JSONField, models.BinaryField)
        )
    ]


def _stored_forms() -> list[str]:
    """Every table (history and audit included), every text, JSON or binary column."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = _text_columns(model)
        if not columns:
            continue
        for values in model._default_manager.values_list(
            *[f.attname for f in model._meta.concrete_fields if f.column in columns]
        ):
            text = " ".join(str(value) for value in values)
            found += [f"{model._meta.db_table}: {form}" for form in FORMS if form in text]
    return found


def test_no_table_page_or_log_holds_a_raw_accession_number(
    world, client, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    # A case logged through the page with its accession number, and one refused with an error
    # (the number must not come back in the form).
    sign_in(client, world.trainee)
    data = {
        "reference": "MT-100",
        "performed_on": DAY.isoformat(),
        "site": world.site.pk,
        "out_of_hours": "false",
        "procedure": "mt",
        "trainee_role": "primary_operator",
        "supervisor": world.lead_supervisor.pk,
        "supervision_mode": "scrubbed",
        "final_etici": "2b67",
        "passes": "2",
        "any_complication": "False",
        "accession_number": RAW[0],
    }
    pages = []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("caselogs:new"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        response = client.post(
            reverse("caselogs:new"),
            {**data, "reference": "MT-101", "passes": "99", "accession_number": RAW[1]},
        )
        assert response.status_code == 200
        pages.append(response.content.decode())
    case = world.trainee.cases.get(reference="MT-100")
    pages.append(client.get(reverse("caselogs:detail", args=[case.pk])).content.decode())
    pages.append(client.get(reverse("caselogs:edit", args=[case.pk])).content.decode())

    # The list, uploaded through its page: one refused file (errors shown), then a good one.
    client = Client()
    sign_in(client, world.training_lead)
    bad = csv_upload([row(DAY, RAW[2], "123"), row(DAY, RAW[3], world.trainee.gmc_number)])
    upload_page = reverse("reconciliation:list_upload")
    form = {
        "site": world.site.pk,
        "period_start": PERIOD[0].isoformat(),
        "period_end": PERIOD[1].isoformat(),
    }
    response = client.post(upload_page, {**form, "file": bad})
    assert response.status_code == 200 and "Nothing was imported" in response.content.decode()
    pages.append(response.content.decode())
    good = csv_upload(
        [
            row(DAY, RAW[0], world.trainee.gmc_number),
            row(DAY, RAW[0], world.lead_supervisor.gmc_number, "supervisor"),
            row(DAY - timedelta(days=1), RAW[2], world.trainee.gmc_number),
            row(DAY - timedelta(days=2), RAW[3], world.lead_supervisor.gmc_number, "operator"),
        ]
    )
    response = client.post(upload_page, {**form, "file": good}, follow=True)
    assert response.status_code == 200
    pages.append(response.content.decode())
    assert case_state(case) == MatchState.MATCHED

    assert _stored_forms() == []
    for page in pages:
        assert not [form for form in FORMS if form in page]
    # The scan sees what it looks for: a number written into any text column is found.
    from reconciliation.models import ListEntry

    ListEntry.objects.filter(pk=ListEntry.objects.first().pk).update(procedure_code=RAW[3])
    assert _stored_forms() == [f"reconciliation_listentry: {RAW[3]}"]

    logged = caplog.text + "".join(m.message().as_string() for m in mail.outbox)
    assert not [form for form in FORMS if form in logged]
