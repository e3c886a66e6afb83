"""Issue 13, item 20: the audit report form posted twice (a double click, a reload that re-posts)
makes one report and one PDF. The token is read from the page's HTML, as a browser sends it."""

import re
from datetime import date, timedelta

import pytest

from documents.models import GeneratedDocument
from governance.models import AuditReport, QualityStandard, QualityStandardSet
from governance.standards import default_standards_ensure

from ..conftest import sign_in
from ..phases.conftest import add_case

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'<input type="hidden" name="submission_token" value="([0-9a-f-]{36})"')


def _form_as_the_browser_sends_it(client) -> dict:
    html = client.get("/governance/reports/").content.decode()
    found = TOKEN.search(html)
    assert found, "the report form carries no one-time token"
    return {
        "organisation": "",
        "trainee": "",
        "submission_token": found.group(1),
        "period_start": (date.today() - timedelta(days=60)).isoformat(),
        "period_end": date.today().isoformat(),
    }


def test_the_report_form_posted_twice_makes_one_report_and_one_pdf(
    trainee_world, client, django_capture_on_commit_callbacks
):
    default_standards_ensure(QualityStandardSet, QualityStandard)
    add_case(trainee_world)
    sign_in(client, trainee_world.governance_lead)
    data = _form_as_the_browser_sends_it(client)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/governance/reports/", data)
        second = client.post("/governance/reports/", data, follow=True)

    report = AuditReport.objects.get()
    assert first.status_code == 302 and first.url == f"/governance/reports/{report.pk}/"
    assert "That report was already requested" in second.content.decode()
    assert GeneratedDocument.objects.filter(kind="audit_report").count() == 1
    # A new page is a new form: the next request is made.
    assert (
        client.post("/governance/reports/", _form_as_the_browser_sends_it(client)).status_code
        == 302
    )
    assert AuditReport.objects.count() == 2
