"""The audit report in the browser: time targets and learning curves frozen beside the standards,
the same charts on the page as in the PDF, a choice of trainee, and who may open a report."""

import math
import random
from base64 import b64encode
from datetime import date, timedelta
from statistics import median

import pytest

from documents.models import GeneratedDocument
from governance.models import AuditReport, QualityStandard, QualityStandardSet
from governance.reports import render_report_html
from governance.standards import default_standards_ensure

from ..conftest import sign_in
from ..factories import make_member
from ..phases.conftest import add_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def standards(db):
    default_standards_ensure(QualityStandardSet, QualityStandard)


def _request(client, **fields):
    data = {
        "organisation": "",
        "trainee": "",
        "period_start": (date.today() - timedelta(days=60)).isoformat(),
        "period_end": date.today().isoformat(),
        **fields,
    }
    return client.post("/governance/reports/", data)


def _timed_dataset(world, rng, n=25):
    cases = []
    for _ in range(n):
        dti = rng.choice([None, rng.randint(5, 60)])
        dtp = rng.choice([None, rng.randint(30, 150)])
        if dti is not None and dtp is not None and dtp < dti:
            dtp = dti + 10
        cases.append(
            add_case(
                world,
                door_to_imaging_minutes=dti,
                door_to_puncture_minutes=dtp,
                puncture_to_reperfusion_minutes=rng.choice([None, rng.randint(10, 90)]),
                door_in_door_out_minutes=rng.choice([None, rng.randint(30, 200)]),
                final_etici=rng.choice(["0", "2a", "2b50", "2c", "3"]),
            )
        )
    return cases


def test_time_targets_match_a_hand_computation(
    trainee_world, client, standards, django_capture_on_commit_callbacks
):
    cases = _timed_dataset(trainee_world, random.Random(11))
    sign_in(client, trainee_world.governance_lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert _request(client).status_code == 302
    times = {row["key"]: row for row in AuditReport.objects.get().snapshot["times"]}

    def pct(k, n):
        return round(100 * k / n, 1) if n else None

    imaging = [x.door_to_imaging_minutes for x in cases if x.door_to_imaging_minutes is not None]
    row = times["door_to_imaging_within_30_min_percent"]
    assert (row["n"], row["observed"]) == (
        len(imaging),
        pct(sum(m <= 30 for m in imaging), len(imaging)),
    )
    assert row["judgement"] == ("met" if row["observed"] >= 75 else "not met")

    puncture = [x.door_to_puncture_minutes for x in cases if x.door_to_puncture_minutes is not None]
    row = times["door_to_puncture_minutes"]
    assert (row["n"], row["observed"]) == (len(puncture), float(median(puncture)))
    assert row["judgement"] == ("met" if row["observed"] <= 60 else "not met")

    reperfusion = [
        x.door_to_puncture_minutes + x.puncture_to_reperfusion_minutes
        for x in cases
        if x.door_to_puncture_minutes is not None and x.puncture_to_reperfusion_minutes is not None
    ]
    assert times["door_to_reperfusion_minutes"]["observed"] == float(median(reperfusion))

    to_puncture = [
        x.door_to_puncture_minutes - x.door_to_imaging_minutes
        for x in cases
        if x.door_to_puncture_minutes is not None and x.door_to_imaging_minutes is not None
    ]
    row = times["imaging_to_puncture_within_60_min_percent"]
    assert row["observed"] == pct(sum(m <= 60 for m in to_puncture), len(to_puncture))

    transfer = [x.door_in_door_out_minutes for x in cases if x.door_in_door_out_minutes is not None]
    assert times["door_in_door_out_minutes"]["observed"] == float(median(transfer))
    # The logbook has no referring-centre imaging time: the report says so rather than guess.
    assert times["referring_imaging_to_puncture_minutes"]["judgement"] == "not recorded"


def test_the_learning_curve_in_the_report_follows_the_formula(
    trainee_world, client, standards, django_capture_on_commit_callbacks
):
    outcomes = [("3", []), ("0", []), ("2c", ["vessel_perforation"]), ("2b50", []), ("2c", [])] * 3
    for grade, complications in outcomes:
        add_case(
            trainee_world,
            final_etici=grade,
            complications=complications,
            any_complication=bool(complications),
        )
    sign_in(client, trainee_world.governance_lead)
    with django_capture_on_commit_callbacks(execute=True):
        _request(client, trainee=trainee_world.trainee.pk)
    report = AuditReport.objects.get()
    assert report.trainee == trainee_world.trainee
    (curve,) = report.snapshot["learning_curves"]
    # s = ln((1 - p0)/(1 - p1)) / ln(p1(1 - p0) / (p0(1 - p1))), with the defaults.
    # h = ln((1 - alpha)/beta) / ln(OR) for both limits; after a crossing the sum restarts at 0.
    s = math.log(0.85 / 0.70) / math.log(0.30 * 0.85 / (0.15 * 0.70))
    h = math.log(0.9 / 0.1) / math.log(0.30 * 0.85 / (0.15 * 0.70))
    expected, crossings, total = [], [], 0.0
    for number, (grade, complications) in enumerate(outcomes, start=1):
        total += (1 if grade in ("0", "1", "2a") or complications else 0) - s
        expected.append(total)
        if total >= h:
            crossings.append({"case": number, "limit": "upper"})
            total = 0.0
    assert curve["values"] == pytest.approx(expected, abs=1e-3)
    assert curve["crossings"] == crossings == [{"case": 13, "limit": "upper"}]
    assert curve["unacceptable"] and not curve["acceptable"]
    assert curve["parameters"] == {"p0": 0.15, "p1": 0.30, "alpha": 0.1, "beta": 0.1}

    document = GeneratedDocument.objects.get(kind="audit_report")
    assert document.status == "ready"
    page = client.get(f"/governance/reports/{report.pk}/").content.decode()
    assert "Learning curves" in page and "Dr Trainee IR" in page
    assert '<td class="nhsuk-table__cell">Mechanical thrombectomy</td>' in page  # by name, not code


def test_the_page_shows_the_same_charts_as_the_pdf(
    trainee_world, client, standards, django_capture_on_commit_callbacks
):
    for grade in ("3", "2c", "0"):
        add_case(trainee_world, final_etici=grade, door_to_puncture_minutes=70)
    sign_in(client, trainee_world.governance_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(client)
    report = AuditReport.objects.get()
    assert response.url == f"/governance/reports/{report.pk}/"
    page = client.get(response.url).content.decode()
    assert 'id="report-mt-cases">3<' in page and "Not met" in page
    document = GeneratedDocument.objects.get(kind="audit_report")
    pdf_html = render_report_html(report, document)
    for name in ("indicators", "times", "curve-0"):
        url = f"/governance/reports/{report.pk}/charts/{name}.svg"
        assert url in page
        chart = client.get(url)
        assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
        assert b64encode(chart.content).decode() in pdf_html
    assert client.get(f"/governance/reports/{report.pk}/charts/curve-9.svg").status_code == 404


def test_a_trainee_outside_the_scope_is_refused_beside_the_field(trainee_world, client, standards):
    stranger = make_member("trainee", trainee_world.outsider_org, full_name="Dr Elsewhere")
    sign_in(client, trainee_world.governance_lead)
    response = _request(client, trainee=stranger.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(response.context["form"].errors["trainee"])
    assert not AuditReport.objects.exists()
    choices = [label for _, label in response.context["form"].fields["trainee"].choices]
    assert "Dr Trainee IR" in choices and "Dr Elsewhere" not in choices


def test_only_the_requester_and_an_administrator_open_a_report(
    trainee_world, client, standards, django_capture_on_commit_callbacks
):
    add_case(trainee_world)
    sign_in(client, trainee_world.governance_lead)
    with django_capture_on_commit_callbacks(execute=True):
        _request(client)
    report = AuditReport.objects.get()
    client.logout()
    other_lead = make_member("governance_lead", trainee_world.employer, full_name="Mr Other Lead")
    for user, status in [
        (other_lead, 404),
        (trainee_world.employer_medical_director, 404),
        (trainee_world.trainee, 404),
        (trainee_world.administrator, 200),
    ]:
        sign_in(client, user)
        assert client.get(f"/governance/reports/{report.pk}/").status_code == status, user
        assert (
            client.get(f"/governance/reports/{report.pk}/charts/indicators.svg").status_code
            == status
        )
        listed = client.get("/governance/reports/")
        if listed.status_code == 200:
            assert (str(report) in listed.content.decode()) == (status == 200)
        client.logout()
