"""The progress page's query count stays flat from 20 to 2,000 cases.

The agreement uses the default criteria template, and the trainee is taken through phase 1 on 20
verified thrombectomies (plus MDT meetings, assessments and competencies), so the page evaluates
every phase 2 criterion kind (totals, angiograms, distinct verifiers, competencies, reperfusion
rate, learning curve, ...) and shows the approved phase 1 request with its signature. The page is
then measured for the trainee and for the lead supervisor; 1,980 more cases are added (through
caselogs.services.case_build and case_save_many, as the CSV import does, with some verified by
both supervisors through case_verify), and measured again: not one query more.
"""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from caselogs.models import Case
from caselogs.selectors import verified_cases
from caselogs.services import case_build, case_save_many, case_verify
from phases.models import Competency
from phases.services import competency_sign, progression_request_make
from signoffs.selectors import signoff_requests_for_subject

from ..agreements.conftest import sign_step
from ..conftest import sign_in
from .conftest import add_activity, add_assessment, add_case, phase_of

pytestmark = pytest.mark.django_db

FEW, MANY = 20, 2_000
# What the page needs today at 20 cases, with a little room; the real test is that 2,000 cases
# need no more than 20 did.
QUERY_BUDGET = 40
VERIFIED_IN_BULK = 60  # of the 1,980 added in bulk, verified one by one like a supervisor would


def _through_phase_one(world):
    """Exactly 20 cases: the 20 verified MTs under direct supervision phase 1 asks for."""
    cases = [add_case(world, days_ago=30 + n % 60) for n in range(FEW)]
    for _ in range(10):
        add_activity(world)
    for case in cases[:5]:
        add_assessment(world, level=2, case=case)
    for competency in (Competency.STROKE_MANAGEMENT, Competency.IMAGING_INTERPRETATION):
        competency_sign(
            agreement=world.agreement, supervisor=world.lead_supervisor, competency=competency
        )
    request = progression_request_make(agreement=world.agreement, actor=world.trainee)
    sign_step(world, signoff_requests_for_subject(request).get().steps.get())
    assert phase_of(world).phase == 2
    # Some phase 2 evidence, so the page shows competencies signed by two INRs.
    for supervisor in (world.lead_supervisor, world.second_supervisor):
        competency_sign(
            agreement=world.agreement, supervisor=supervisor, competency=Competency.MT_TECHNIQUE
        )
    assert Case.objects.filter(trainee=world.trainee).count() == FEW


def _add_in_bulk(world, count):
    """Cases as the import saves them: built and checked one by one, saved in one transaction."""
    supervisors = (world.lead_supervisor, world.second_supervisor)
    procedures = ("mt", "mt", "mt", "diagnostic_angiogram")
    grades = ("3", "2c", "2b67", "2b50", "2a", "1")
    cases = []
    for n in range(count):
        procedure = procedures[n % len(procedures)]
        data = {
            "reference": f"BULK-{n:05d}",
            "performed_on": date.today() - timedelta(days=1 + n % 100),
            "site": world.site,
            "out_of_hours": n % 3 == 0,
            "procedure": procedure,
            "trainee_role": "primary_operator" if n % 5 else "assistant",
            "supervisor": supervisors[n % 2],
            "supervision_mode": ("scrubbed", "in_room", "on_site")[n % 3],
        }
        if procedure == "mt":
            data.update(
                final_etici=grades[n % len(grades)], passes=1 + n % 3, any_complication=n % 11 == 0
            )
        cases.append(case_build(trainee=world.trainee, data=data, version=world.version))
    case_save_many(trainee=world.trainee, cases=cases)
    for case in cases[:VERIFIED_IN_BULK]:
        case_verify(
            case=case,
            supervisor=case.supervisor,
            role_view=case.trainee_role,
            mode_view=case.supervision_mode,
            decision="verified",
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_progress_page_queries_do_not_grow_with_the_logbook(
    trainee_world, django_assert_max_num_queries
):
    world = trainee_world
    _through_phase_one(world)
    url = f"/progress/{world.agreement.pk}/"
    viewers = {
        "trainee": sign_in(Client(), world.trainee, code_index=9),
        "lead supervisor": sign_in(Client(), world.lead_supervisor, code_index=9),
    }
    for client in viewers.values():
        client.get(url)  # warm the caches every request shares (content types, templates)
    at_few = {name: _count(client, url) for name, client in viewers.items()}
    for name, count in at_few.items():
        assert count <= QUERY_BUDGET, f"the {name}'s progress page needs {count} queries"

    _add_in_bulk(world, MANY - FEW)
    assert Case.objects.filter(trainee=world.trainee).count() == MANY
    # The page counts the new verified evidence (and only that: the rest awaits verification).
    primary_mts = (
        verified_cases()
        .filter(trainee=world.trainee, procedure="mt", trainee_role="primary_operator")
        .count()
    )
    assert primary_mts > FEW
    page = viewers["trainee"].get(url).content.decode()
    row = re.search(r"Thrombectomies as primary operator in total.*?</li>", page, re.S).group(0)
    assert f"Now: <strong>{primary_mts}</strong>" in row, row

    for name, client in viewers.items():
        with django_assert_max_num_queries(at_few[name]):
            response = client.get(url)
        assert response.status_code == 200, name
        assert "Criteria to complete phase 2" in response.content.decode(), name
