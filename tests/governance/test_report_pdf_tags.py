"""The audit report as a tagged PDF (PDF/UA-1, issue 14): its charts carry alternative text."""

from datetime import date, timedelta

import pytest

from documents.models import GeneratedDocument
from governance.models import AuditReport, QualityStandard, QualityStandardSet
from governance.standards import default_standards_ensure
from tests.pdf_structure import pdf_structure

from ..conftest import sign_in
from ..phases.conftest import add_case

pytestmark = pytest.mark.django_db


def test_the_report_pdf_is_tagged_and_its_charts_have_alternative_text(
    trainee_world, client, django_capture_on_commit_callbacks
):
    default_standards_ensure(QualityStandardSet, QualityStandard)
    for grade in ("3", "2c", "0"):
        add_case(trainee_world, final_etici=grade, passes=2, door_to_puncture_minutes=60)
    sign_in(client, trainee_world.governance_lead)
    period = {
        "organisation": "",
        "period_start": (date.today() - timedelta(days=60)).isoformat(),
        "period_end": date.today().isoformat(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/governance/reports/", period).status_code == 302
    report = AuditReport.objects.get()
    document = GeneratedDocument.objects.get(kind="audit_report", subject_id=report.pk)
    with document.file.open("rb") as handle:
        structure = pdf_structure(handle.read())
    assert structure.language == "en-GB"
    assert str(report) in structure.title
    assert structure.kinds[0] == "Document"
    assert {"H1", "H2", "Table", "TH", "TD"} <= set(structure.kinds)
    assert structure.figures_without_alt == 0
    assert any(
        alt.startswith("Bar chart of each observed percentage") for alt in structure.figure_alts
    )
