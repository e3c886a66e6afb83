"""Governance tests reuse the phases fixtures: a trainee in training, and a small world whose
criteria a test can meet in full; and one way to ask for an audit report, as its reader does."""

from datetime import date, timedelta

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
