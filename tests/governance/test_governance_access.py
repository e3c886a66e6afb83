"""Who reaches the governance pages, and how far each person's scope reaches.

One permission table (every role of the world, an outsider organisation's governance lead and a
supervisor no agreement names) against the dashboard, the audit reports page, the exports page,
the case export and the figures a report freezes; and the dashboard's query count as the number of
trainees grows.
"""

import csv
import io
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.services import backup_codes_set
from agreements.criteria_defaults import default_template_ensure
from agreements.models import CriteriaTemplate, CriterionTemplate, VersionStatus
from agreements.services import SupervisorChoice, agreement_create
from governance.models import AuditReport
from phases.models import Phase, PhaseRecord

from ..agreements.conftest import submit_and_sign_all, terms_for
from ..conftest import sign_in
from ..factories import TEST_BACKUP_CODES, make_member
from ..phases.conftest import add_case

pytestmark = pytest.mark.django_db

VERIFIED_CASES = 3
WAITING_CASES = 1

# person: (dashboard, reports page, exports page, sees the trainee's agreement)
PERMISSIONS = {
    "trainee": (403, 403, 200, True),
    "lead_supervisor": (403, 403, 200, True),
    "second_supervisor": (403, 403, 200, True),
    "unnamed_supervisor": (403, 403, 200, False),
    "training_lead": (200, 200, 200, True),
    "employer_clinical_director": (200, 200, 200, True),
    "centre_clinical_director": (200, 200, 200, True),
    "employer_medical_director": (200, 200, 200, True),
    "centre_medical_director": (200, 200, 200, True),
    "governance_lead": (200, 200, 200, True),
    "administrator": (200, 200, 200, True),
    "outsider_director": (200, 200, 200, False),
    "outsider_governance_lead": (200, 200, 200, False),
}


def _people(world):
    people = world.people()
    people["unnamed_supervisor"] = make_member(
        Role.SUPERVISOR, world.centre, full_name="Dr Unnamed INR"
    )
    people["outsider_governance_lead"] = make_member(
        Role.GOVERNANCE_LEAD, world.outsider_org, full_name="Ms Outsider Governance"
    )
    assert set(people) == set(PERMISSIONS), "the table must name every person of the world"
    return people


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[0] == "trainee"
    return rows


def _request_report(client):
    return client.post(
        "/governance/reports/",
        {
            "organisation": "",
            "period_start": (date.today() - timedelta(days=60)).isoformat(),
            "period_end": date.today().isoformat(),
        },
    )


def test_each_role_reaches_only_its_pages_and_its_scope(trainee_world):
    """The permission table: role x dashboard, reports page, exports page, case export rows and the
    verified thrombectomies a report the person asks for counts."""
    world = trainee_world
    for n in range(VERIFIED_CASES):
        add_case(world, days_ago=5 + n)
    for _ in range(WAITING_CASES):
        add_case(world, verify=False, days_ago=2)
    all_cases = VERIFIED_CASES + WAITING_CASES

    observed, expected = {}, {}
    for name, person in _people(world).items():
        dashboard, reports, exports, sees = PERMISSIONS[name]
        client = sign_in(Client(), person)
        may_report = reports == 200
        expected[name] = (
            dashboard,
            reports,
            exports,
            200,
            all_cases if sees else 0,
            (VERIFIED_CASES if sees else 0) if may_report else None,
        )

        csv_response = client.get("/governance/exports/cases.csv")
        rows = _csv_rows(csv_response) if csv_response.status_code == 200 else None
        mt_cases = None
        if may_report:
            response = _request_report(client)
            assert response.status_code == 302, (name, response.content[:1000])
            report = AuditReport.objects.get(requested_by=person)
            mt_cases = report.snapshot["figures"]["mt_cases"]
        observed[name] = (
            client.get("/governance/").status_code,
            client.get("/governance/reports/").status_code,
            client.get("/governance/exports/").status_code,
            csv_response.status_code,
            None if rows is None else len(rows),
            mt_cases,
        )
    assert observed == expected
    # People without a governance role cannot ask for a report by posting either.
    client = sign_in(Client(), world.lead_supervisor)
    assert _request_report(client).status_code == 403
    assert not AuditReport.objects.filter(requested_by=world.lead_supervisor).exists()


# Query count -----------------------------------------------------------------------------------

START = 2
# 2 -> 50 trainees, each with an agreement signed through the real sign-off chain.
TARGET = 50

SIGNERS = (
    "training_lead",
    "employer_clinical_director",
    "centre_clinical_director",
    "employer_medical_director",
    "centre_medical_director",
    "lead_supervisor",
    "second_supervisor",
)


def _add_trainee_with_active_agreement(world, n, *, independent=False):
    trainee = make_member(
        Role.TRAINEE,
        world.employer,
        directorate=world.employer_directorate,
        full_name=f"Dr Trainee {n:02d}",
    )
    # Signing asks every signer (the trainee too) for a backup code; each code works once.
    backup_codes_set(actor=None, user=trainee, codes=TEST_BACKUP_CODES)
    if n % 4 == 0:
        for name in SIGNERS:
            backup_codes_set(actor=None, user=getattr(world, name), codes=TEST_BACKUP_CODES)
    agreement = agreement_create(
        actor=world.training_lead,
        trainee=trainee,
        terms=terms_for(world, start_date=date.today() - timedelta(days=120)),
        supervisors=SupervisorChoice(
            supervisors=[world.lead_supervisor, world.second_supervisor], lead=world.lead_supervisor
        ),
        criteria_template=default_template_ensure(CriteriaTemplate, CriterionTemplate),
    )
    version, _ = submit_and_sign_all(world, agreement)
    assert version.status == VersionStatus.ACTIVE
    if independent:
        # Straight to phase 3 (the progression sign-offs are not what this measures): an
        # operator whose rolling practice the dashboard judges against the standards.
        day = date.today() - timedelta(days=30)
        PhaseRecord.objects.filter(agreement=agreement, ended_on__isnull=True).update(ended_on=day)
        PhaseRecord.objects.create(agreement=agreement, phase=Phase.INDEPENDENT, started_on=day)
    return trainee


def test_dashboard_queries_stay_flat_from_2_to_50_trainees(
    trainee_world, django_assert_max_num_queries
):
    """The dashboard's queries do not grow with the trainees in scope: measured with 2 trainees
    on active agreements, then asserted as the ceiling with 50."""
    world = trainee_world
    started = time.monotonic()
    for n in range(2, START + 1):
        _add_trainee_with_active_agreement(world, n)
    client = sign_in(Client(), world.governance_lead)
    with CaptureQueriesContext(connection) as small:
        response = client.get("/governance/")
    assert response.status_code == 200
    assert dict(response.context["phase_counts"])[1] == START
    measured = len(small.captured_queries)

    for n in range(START + 1, TARGET + 1):
        _add_trainee_with_active_agreement(world, n)
    with django_assert_max_num_queries(measured):
        response = client.get("/governance/")
    assert response.status_code == 200
    assert dict(response.context["phase_counts"])[1] == TARGET
    assert len(response.context["training_time"]) == TARGET
    assert time.monotonic() - started < 60


def test_dashboard_queries_stay_flat_with_operators_in_independent_practice(
    trainee_world, django_assert_max_num_queries
):
    """As above, with half the trainees in phase 3, whose rolling practice the dashboard judges
    against the standards: 2 trainees (one in phase 3) measured, then 50 (25 in phase 3)."""
    world = trainee_world
    _add_trainee_with_active_agreement(world, 2, independent=True)
    client = sign_in(Client(), world.governance_lead)
    with CaptureQueriesContext(connection) as small:
        response = client.get("/governance/")
    assert len(response.context["continued_practice"]) == 1
    measured = len(small.captured_queries)

    for n in range(START + 1, TARGET + 1):
        _add_trainee_with_active_agreement(world, n, independent=n % 2 == 0)
    response = client.get("/governance/")
    assert len(response.context["continued_practice"]) == TARGET // 2
    with django_assert_max_num_queries(measured):
        assert client.get("/governance/").status_code == 200
