"""The governance dashboard and the learning-curve chart, for the people who may see them."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from governance.dashboard import dashboard_for

from ..conftest import sign_in
from ..factories import OrganisationFactory, make_member
from ..phases.conftest import add_activity, add_case

pytestmark = pytest.mark.django_db


def test_dashboard_shows_phases_waiting_cases_and_training_time(trainee_world, client):
    add_case(trainee_world, verify=False, reference="WAIT-1", procedure_minutes=90)
    add_case(trainee_world, procedure_minutes=120)
    add_activity(trainee_world)
    data = dashboard_for(trainee_world.governance_lead)
    assert dict(data["phase_counts"])[1] == 1
    assert data["cases_waiting"][0]["n"] == 1
    row = data["training_time"][0]
    # 2 hours of procedure and 1 hour of MDT over 8 weeks, at 4 hours a session.
    assert str(row.delivered_per_week) == "0.1" and row.short
    sign_in(client, trainee_world.governance_lead)
    page = client.get("/governance/").content.decode()
    assert trainee_world.trainee.full_name in page and "below the agreement" in page


def test_overdue_reviews_are_flagged(trainee_world):
    version = trainee_world.version
    past_review = version.review_dates_as_dates()[0] <= timezone.localdate()
    flagged = [v.pk for v, _ in dashboard_for(trainee_world.governance_lead)["overdue"]]
    assert (version.pk in flagged) is past_review


def test_other_organisations_see_nothing_and_trainees_are_refused(trainee_world, client):
    outsider = make_member(Role.GOVERNANCE_LEAD, OrganisationFactory())
    data = dashboard_for(outsider)
    assert data["phases"] == [] and data["training_time"] == []
    sign_in(client, trainee_world.trainee)
    assert client.get("/governance/").status_code == 403


def test_dashboard_queries_do_not_grow_with_cases(trainee_world, client, django_assert_max_num_queries):
    sign_in(client, trainee_world.governance_lead)
    for n in range(5):
        add_case(trainee_world, verify=n % 2 == 0)
    with CaptureQueriesContext(connection) as small:
        client.get("/governance/")
    for n in range(40):
        add_case(trainee_world, verify=n % 2 == 0, days_ago=n % 50)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/governance/").status_code == 200


def test_learning_curve_chart_draws_the_boundaries(trainee_world, client):
    for n in range(14):
        add_case(trainee_world, days_ago=30 - n, final_etici="2a" if n == 3 else "3")
    sign_in(client, trainee_world.lead_supervisor)
    page = client.get(f"/governance/learning-curves/{trainee_world.agreement.pk}/").content.decode()
    assert "chart.svg" in page and "14 cases" in page
    chart = client.get(f"/governance/learning-curves/{trainee_world.agreement.pk}/chart.svg")
    assert chart["Content-Type"] == "image/svg+xml"
    svg = chart.content.decode()
    assert "acceptable (-2.48)" in svg and "unacceptable (2.48)" in svg
    assert "p0 15%, p1 30%" in svg
    outsider = make_member(Role.SUPERVISOR, OrganisationFactory())
    client.logout()
    sign_in(client, outsider)
    assert client.get(f"/governance/learning-curves/{trainee_world.agreement.pk}/").status_code == 404
    assert client.get(f"/governance/learning-curves/{trainee_world.agreement.pk}/chart.svg").status_code == 404


def test_long_lists_are_cut_at_the_limit_and_say_how_many_more(trainee_world, client):
    from governance.dashboard import LIST_LIMIT, TrainingTime

    rows = [TrainingTime("Dr Short", 999, 2, 1)]
    rows += [TrainingTime(f"Dr Fine {n:03d}", n, 2, 2) for n in range(LIST_LIMIT + 5)]
    context = {**dashboard_for(trainee_world.governance_lead), "training_time": rows}
    page = render_to_string("governance/dashboard.html", context)
    shown = page.split('id="training-time"')[1].split("</table>")[0]
    assert shown.count("<tr>") == 1 + LIST_LIMIT  # the header and the first LIST_LIMIT
    assert "Dr Short" in shown and "Dr Fine 049" not in shown
    assert f"Showing {LIST_LIMIT} of {LIST_LIMIT + 6}: those below the agreement first." in page
    # Short lists say nothing more.
    sign_in(client, trainee_world.governance_lead)
    assert "more-rows" not in client.get("/governance/").content.decode()
