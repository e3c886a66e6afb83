"""The audit report: frozen figures beside the standards, produced as a PDF in the background."""

import subprocess
from datetime import date, timedelta

import pytest

from documents.models import GeneratedDocument
from governance.models import AuditReport, QualityStandard, QualityStandardSet
from governance.standards import default_standards_ensure

from ..conftest import sign_in
from ..phases.conftest import add_case

pytestmark = pytest.mark.django_db


def _post(client, **overrides):
    data = {
        "organisation": "",
        "period_start": (date.today() - timedelta(days=60)).isoformat(),
        "period_end": date.today().isoformat(),
    }
    data.update(overrides)
    return client.post("/governance/reports/", data)


def test_the_report_pdf_prints_the_frozen_figures_beside_the_standards(
    trainee_world, client, django_capture_on_commit_callbacks
):
    default_standards_ensure(QualityStandardSet, QualityStandard)
    for grade in ("3", "3", "2c", "2a", "0"):
        add_case(trainee_world, final_etici=grade, passes=2, door_to_puncture_minutes=60)
    add_case(trainee_world, verify=False, final_etici="0", passes=3)  # unverified: not counted
    sign_in(client, trainee_world.governance_lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client).status_code == 302
    report = AuditReport.objects.get()
    assert report.snapshot["figures"]["mt_cases"] == 5
    assert report.snapshot["figures"]["successful_reperfusion_percent"] == 60.0
    judged = {row["label"]: row for row in report.snapshot["judged"]}
    assert judged["Successful reperfusion (eTICI 2b50 or better)"]["judgement"] == "not met"

    document = GeneratedDocument.objects.get(kind="audit_report", subject_id=report.pk)
    assert document.status == "ready"
    with document.file.open("rb") as handle:
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=handle.read(), capture_output=True, check=True
        ).stdout.decode()
    text = " ".join(text.split())
    assert "60.0%" in text and "at least 80%" in text and "Not met" in text
    assert "Wasselius" in text and document.verification_code in text
    assert (
        "bar: observed; black mark: the standard's figure" in text
    )  # the chart is drawn in the PDF
    page = client.get("/governance/reports/").content.decode()
    assert str(report) in page

    # Editing the standard afterwards does not change a report already requested.
    standard = QualityStandard.objects.get(key="successful_reperfusion")
    standard.value = 50
    standard.save()
    report.refresh_from_db()
    assert report.snapshot["judged"][0]["judgement"] == "not met"


def test_a_period_ending_before_it_starts_is_refused_beside_the_field(trainee_world, client):
    sign_in(client, trainee_world.governance_lead)
    response = _post(client, period_end=(date.today() - timedelta(days=90)).isoformat())
    assert "before its start" in " ".join(response.context["form"].errors["period_end"])
    assert not AuditReport.objects.exists()


def test_only_governance_roles_request_reports_and_only_the_requester_downloads(
    trainee_world, client, django_capture_on_commit_callbacks
):
    sign_in(client, trainee_world.trainee)
    assert client.get("/governance/reports/").status_code == 403
    client.logout()
    sign_in(client, trainee_world.employer_medical_director)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client)
    document = GeneratedDocument.objects.get(kind="audit_report")
    assert client.get(f"/documents/{document.pk}/download/").status_code == 200
    client.logout()
    sign_in(client, trainee_world.governance_lead)
    assert client.get(f"/documents/{document.pk}/download/").status_code == 404
