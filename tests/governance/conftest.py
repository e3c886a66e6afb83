"""Governance tests reuse the phases fixtures: a trainee in training, and a small world whose
criteria a test can meet in full; one way to ask for an audit report, as its reader does, and one
way to download an export."""

import csv
import io
from datetime import date, timedelta

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from governance.models import AuditReport, QualityStandard, QualityStandardSet
from governance.standards import default_standards_ensure

from ..conftest import sign_in
from ..phases.conftest import small_world, trainee_world  # noqa: F401  (fixtures)


def audit_report_page(client, reader, capture_on_commit, *, period_start=None, period_end=None):
    """Ask for an audit report of everything ``reader`` can see (the last 60 days unless given),
    let it be made, and return the report and its page as text."""
    default_standards_ensure(QualityStandardSet, QualityStandard)
    sign_in(client, reader)
    with capture_on_commit(execute=True):
        response = client.post(
            "/governance/reports/",
            {
                "organisation": "",
                "trainee": "",
                "period_start": (period_start or date.today() - timedelta(days=60)).isoformat(),
                "period_end": (period_end or date.today()).isoformat(),
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    report = AuditReport.objects.latest("pk")
    return report, client.get(f"/governance/reports/{report.pk}/").content.decode()


def read_export(response, fmt) -> list[dict]:
    """A streamed CSV or workbook download, a dict a row."""
    assert response.status_code == 200, response.content[:2000]
    assert response.streaming
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        header, *rows = ([cell.value for cell in row] for row in sheet.iter_rows())
    return [dict(zip(header, row, strict=True)) for row in rows]


def export_rows(user, dataset: str, fmt: str) -> list[dict]:
    """Download an export as ``user`` would, and read it back as a dict a row."""
    client = Client()
    sign_in(client, user)
    return read_export(client.get(reverse("governance:export_download", args=[dataset, fmt])), fmt)
