"""A trainee with an active agreement (the logbook's world), lists to upload and helpers.

Accession numbers here are made up: ``ACC-`` and a counter, nothing like a hospital's."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reconciliation.services import procedure_list_import

from ..caselogs.conftest import log_case, logbook  # noqa: F401  (fixture)

TODAY = date.today()
PERIOD = (TODAY - timedelta(days=60), TODAY)
HEADER = ["procedure_date", "accession_number", "procedure_code", "operator_gmc", "operator_role"]


def csv_upload(rows, header=HEADER, name="list.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def row(day, accession, gmc, role="primary operator", code="MT01"):
    return [day.isoformat(), accession, code, gmc, role]


def import_list(world, rows, *, site=None, period=PERIOD, user=None, upload=None):
    return procedure_list_import(
        user=user or world.training_lead,
        site=site or world.site,
        period_start=period[0],
        period_end=period[1],
        upload=upload or csv_upload(rows),
    )


@pytest.fixture
def world(logbook):  # noqa: F811 (the imported logbook fixture, named world here)
    return logbook


__all__ = ["csv_upload", "row", "import_list", "log_case", "PERIOD", "TODAY"]
