"""The governance dashboard and the learning-curve chart, for the people who may see them."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from governance.dashboard import InForceVersion, dashboard_for, overdue_agreements

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


def test_dashboard_queries_do_not_grow_with_cases(
    trainee_world, client, django_assert_max_num_queries
):
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
    assert (
        client.get(f"/governance/learning-curves/{trainee_world.agreement.pk}/").status_code == 404
    )
    assert (
        client.get(
            f"/governance/learning-curves/{trainee_world.agreement.pk}/chart.svg"
        ).status_code
        == 404
    )


def test_long_lists_are_cut_at_the_limit_and_say_how_many_more(trainee_world, client):
    from governance.dashboard import LIST_LIMIT, TrainingTime

    rows = [TrainingTime("Dr Short", 999, 2, 1)]
    rows += [TrainingTime(f"Dr Fine {n:03d}", n, 2, 2) for n in range(LIST_LIMIT + 5)]
    context = {**dashboard_for(trainee_world.governance_lead), "training_time": rows}
    page = render_to_string("governance/dashboard.html", context)
    shown = page.split('id="training-time"')[1].split("</table>")[0]
    assert shown.count("<tr ") == 1 + LIST_LIMIT  # the header and the first LIST_LIMIT
    assert "Dr Short" in shown and "Dr Fine 049" not in shown
    assert f"Showing {LIST_LIMIT} of {LIST_LIMIT + 6}: those below the agreement first." in page
    # Short lists say nothing more.
    sign_in(client, trainee_world.governance_lead)
    assert "more-rows" not in client.get("/governance/").content.decode()


def test_overdue_and_waiting_lists_are_cut_too_longest_waiting_first(trainee_world):
    from datetime import date, timedelta
    from decimal import Decimal

    from governance.dashboard import LIST_LIMIT, InForceVersion, overdue_agreements

    today = date(2026, 6, 1)

    def version(n, start, review):
        return InForceVersion(
            n,
            n,
            f"AGR-{n:03d}",
            f"Dr Overdue {n:03d}",
            "active",
            start,
            12,
            [review.isoformat()],
            Decimal(2),
        )

    # Agreement n's review passed n days ago; agreement 0 also ran past its expected duration.
    versions = [
        version(n, date(2026, 1, 1), today - timedelta(days=n)) for n in range(1, LIST_LIMIT + 3)
    ]
    versions.append(version(0, date(2024, 1, 1), today + timedelta(days=30)))
    flagged = overdue_agreements(versions, today)
    assert [v.pk for v, _ in flagged[:3]] == [0, LIST_LIMIT + 2, LIST_LIMIT + 1]
    assert flagged[0][1] == "past its expected duration (1 Jan 2025)"
    waiting = [
        {
            "trainee__full_name": f"Dr Waiting {n:03d}",
            "supervisor__full_name": "Dr S",
            "n": 1,
            "oldest": timezone.now(),
        }
        for n in range(LIST_LIMIT + 4)
    ]
    context = {
        **dashboard_for(trainee_world.governance_lead),
        "overdue": flagged,
        "cases_waiting": waiting,
        "phases_total": LIST_LIMIT + 7,
    }
    page = render_to_string("governance/dashboard.html", context)
    overdue = page.split('id="overdue"')[1].split("</ul>")[0]
    assert overdue.count("<li") == LIST_LIMIT and "AGR-000" in overdue and "AGR-001" not in overdue
    assert f"Showing {LIST_LIMIT} of {LIST_LIMIT + 3}: longest overdue first." in page
    cases = page.split('id="cases-waiting"')[1].split("</ul>")[0]
    assert cases.count("<li") == LIST_LIMIT and "Dr Waiting 050" not in cases
    assert f"Showing {LIST_LIMIT} of {LIST_LIMIT + 4}: oldest first." in page
    # The trainees are cut in the query, so their total comes from the phase counts.
    assert f"Showing {LIST_LIMIT} of {LIST_LIMIT + 7}: every agreement is listed" in page


def test_overdue_reasons_read_dates_as_every_page_does():
    """Issue 13, item 12: "review date 4 Mar 2026 has passed", never "04 Mar 2026" or ISO."""
    version = InForceVersion(
        pk=1,
        agreement_id=1,
        reference="TA-1",
        trainee="Dr Example",
        status="active",
        start_date=date(2025, 1, 4),
        expected_duration_months=12,
        review_dates=["2026-03-04"],
        sessions_per_week=Decimal("2"),
    )

    ((_, reason),) = overdue_agreements([version], date(2026, 6, 1))

    assert reason == "past its expected duration (4 Jan 2026); review date 4 Mar 2026 has passed"
