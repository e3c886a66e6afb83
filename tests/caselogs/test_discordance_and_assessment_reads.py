"""The disagreements a training lead reads on their home page, and the assessment list (issue 19:
mutation testing found their joins, and who is left out of the disagreements, unguarded).

A training lead reads the disagreements of the agreements they oversee, but not their own: a lead
who also verifies does not review their own view against the trainee's, and a lead who is also a
trainee does not review what their supervisors made of their cases."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.services import membership_create
from caselogs.activity_services import assessment_record
from caselogs.selectors import discordant_verifications_for_user

from ..conftest import sign_in
from .conftest import log_case, log_differently_verified_case

pytestmark = pytest.mark.django_db


def _also_training_lead(person, organisation):
    membership_create(actor=None, user=person, role=Role.TRAINING_LEAD, organisation=organisation)


def _discordance_on_home_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="inbox-discordant"') :]


def test_a_training_lead_who_verifies_does_not_review_their_own_disagreements(logbook, client):
    w = logbook
    _also_training_lead(w.lead_supervisor, w.centre)
    own = log_differently_verified_case(w, w.lead_supervisor, "MT-OWN-VIEW")
    colleagues = log_differently_verified_case(w, w.second_supervisor, "MT-COLLEAGUE")

    assert [v.case for v in discordant_verifications_for_user(user=w.lead_supervisor)] == [
        colleagues
    ]
    assert [v.case for v in discordant_verifications_for_user(user=w.training_lead)] == [
        colleagues,
        own,
    ]
    listed = _discordance_on_home_page(sign_in(client, w.lead_supervisor))
    assert "MT-COLLEAGUE" in listed
    assert "MT-OWN-VIEW" not in listed


def test_a_training_lead_who_is_a_trainee_does_not_review_their_own_cases(logbook, client):
    w = logbook
    _also_training_lead(w.trainee, w.employer)
    log_differently_verified_case(w, w.lead_supervisor, "MT-MINE")

    assert list(discordant_verifications_for_user(user=w.trainee)) == []
    assert [v.case.reference for v in discordant_verifications_for_user(user=w.training_lead)] == [
        "MT-MINE"
    ]
    listed = _discordance_on_home_page(sign_in(client, w.trainee))
    assert "MT-MINE" not in listed
    assert "No differences to review." in listed


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_disagreements_read_cases_trainees_and_supervisors_with_the_list(logbook, client):
    w = logbook
    log_differently_verified_case(w, w.lead_supervisor, "MT-D1")
    sign_in(client, w.training_lead)
    one, _ = _queries(client, reverse("home"))

    log_differently_verified_case(w, w.second_supervisor, "MT-D2")
    log_differently_verified_case(w, w.lead_supervisor, "MT-D3")
    three, html = _queries(client, reverse("home"))
    assert three == one
    for reference in ("MT-D1", "MT-D2", "MT-D3"):
        assert reference in html
    assert "Dr Second INR saw assistant" in html
    assert "Dr Lead INR saw assistant" in html
    assert html.count("Dr Trainee IR: the trainee entered primary operator") == 3


def _assess(world, assessor, reference):
    return assessment_record(
        assessor=assessor,
        trainee=world.trainee,
        data={
            "kind": "procedural",
            "case": log_case(world, reference=reference),
            "assessed_on": date.today(),
            "entrustment": 3,
            "strengths": "Steady catheter work.",
            "development_points": "Plan the second pass.",
        },
    )


@pytest.mark.parametrize("reader", ["trainee", "training_lead"])
def test_the_assessment_list_reads_trainees_assessors_and_cases_with_the_list(
    logbook, client, reader
):
    w = logbook
    _assess(w, w.lead_supervisor, "MT-A1")
    sign_in(client, getattr(w, reader))
    url = reverse("caselogs:assessments")
    one, _ = _queries(client, url)

    _assess(w, w.second_supervisor, "MT-A2")
    _assess(w, w.lead_supervisor, "MT-A3")
    three, html = _queries(client, url)
    assert three == one
    for reference in ("MT-A1", "MT-A2", "MT-A3"):
        assert reference in html
    assert "Dr Second INR" in html
    assert html.count("Dr Trainee IR") >= 3
