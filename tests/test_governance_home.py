"""The governance lead's home: overdue reviews and their audit reports, with the way to the
dashboard (it once said they "will appear here" and stayed empty)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.reports import audit_report_request

from .agreements.conftest import draft, submit_and_sign_all, world  # noqa: F401  (fixture)
from .conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_governance_panel_lists_overdue_reviews_and_reports(client, world):
    today = date.today()
    agreement = draft(
        world,
        start_date=today - timedelta(days=200),
        review_dates=[(today - timedelta(days=3)).isoformat()],
    )
    submit_and_sign_all(world, agreement)
    report = audit_report_request(
        user=world.governance_lead, period_start=today - timedelta(days=30), period_end=today
    )
    sign_in(client, world.governance_lead)
    home = client.get("/")
    section = next(s for s in home.context["inbox_sections"] if s.title == "Governance")
    body = home.content.decode()
    assert "will appear here" not in body
    assert section.count == 1  # the overdue review; a report asks nothing of anyone
    assert reverse("agreements:detail", args=[agreement.pk]) in body
    assert reverse("governance:report", args=[report.pk]) in body
    assert f'href="{reverse("governance:dashboard")}"' in body


def test_other_roles_have_no_governance_panel(client, world):
    sign_in(client, world.employer_clinical_director)
    home = client.get("/")
    assert all(s.title != "Governance" for s in home.context["inbox_sections"])


def test_the_panel_costs_the_same_queries_however_many_rows(client, world):
    today = date.today()

    def overdue_agreement_and_report():
        agreement = draft(
            world,
            start_date=today - timedelta(days=200),
            review_dates=[(today - timedelta(days=3)).isoformat()],
        )
        submit_and_sign_all(world, agreement)
        audit_report_request(
            user=world.governance_lead, period_start=today - timedelta(days=30), period_end=today
        )

    overdue_agreement_and_report()
    sign_in(client, world.governance_lead)
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for _ in range(3):
        overdue_agreement_and_report()
    with CaptureQueriesContext(connection) as four:
        home = client.get("/")
    assert home.content.decode().count("has passed") == 4
    assert len(four) == len(one)
