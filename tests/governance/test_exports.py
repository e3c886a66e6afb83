"""Exports of cases, activities and assessments: each role's scope, the filters, pseudonyms,
formula escaping, the audit event, streaming, and bad filters answered with a form error."""

import io
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from accounts.models import Role
from accounts.services import backup_codes_set
from agreements.criteria_defaults import default_template_ensure
from agreements.models import CriteriaTemplate, CriterionTemplate
from agreements.services import SupervisorChoice, agreement_create
from audit.models import AuditEvent
from caselogs.activity_services import activity_log, assessment_record
from caselogs.models import Case
from caselogs.services import case_build, case_log, case_save_many
from governance import export_views, exports
from governance.exports import escape_formula, pseudonym
from phases.services import progression_request_make
from signoffs.selectors import signoff_requests_for_subject

from ..agreements.conftest import (
    another_trainee_in_force,
    sign_step,
    submit_and_sign_all,
    terms_for,
)
from ..caselogs.conftest import mt_case_data
from ..conftest import sign_in
from ..factories import TEST_BACKUP_CODES, SiteFactory, make_member, make_user
from ..phases.conftest import (
    add_activity,
    add_assessment,
    add_case,
    meet_phase_one,
    phase_of,
)
from .conftest import read_export

pytestmark = pytest.mark.django_db

DATASETS = ("cases", "activities", "assessments")
FORMATS = ("csv", "xlsx")
TODAY = date.today()


@pytest.fixture
def world(trainee_world):
    """Two trainees: the world's own (employed by Northgate, trained at Southbank, both INRs
    named) and a second employed by the centre itself, supervised by the second INR only."""
    w = trainee_world
    w.home_site = SiteFactory(organisation=w.employer, name="Northgate General")
    w.other_trainee = make_member(
        Role.TRAINEE,
        w.centre,
        directorate=w.centre_directorate,
        full_name="Dr Other Trainee",
        email="other.trainee@example.org",
    )
    backup_codes_set(actor=None, user=w.other_trainee, codes=TEST_BACKUP_CODES)
    agreement = agreement_create(
        actor=w.training_lead,
        trainee=w.other_trainee,
        terms=terms_for(
            w,
            employer=w.centre,
            employer_directorate=w.centre_directorate,
            centre_directorate=None,
            start_date=TODAY - timedelta(days=120),
        ),
        supervisors=SupervisorChoice(supervisors=[w.second_supervisor], lead=w.second_supervisor),
        criteria_template=default_template_ensure(CriteriaTemplate, CriterionTemplate),
    )
    submit_and_sign_all(w, agreement)

    w.case_at_centre = add_case(w, reference="A-CENTRE", days_ago=10, age=70)
    w.case_at_home = add_case(w, reference="A-HOME", days_ago=40, site=w.home_site)
    add_activity(w)
    add_assessment(w, case=w.case_at_centre)
    other = case_log(
        trainee=w.other_trainee,
        data={
            "reference": "B-1",
            "performed_on": TODAY - timedelta(days=5),
            "site": w.site,
            "out_of_hours": False,
            "procedure": "mt",
            "trainee_role": "assistant",
            "supervisor": w.second_supervisor,
            "supervision_mode": "scrubbed",
            "final_etici": "3",
            "passes": 1,
            "any_complication": False,
        },
    )
    activity_log(
        trainee=w.other_trainee,
        data={
            "kind": "teaching",
            "happened_on": TODAY - timedelta(days=2),
            "hours": Decimal("2.5"),
            "notes": "",
            "supervisor": w.second_supervisor,
        },
    )
    assessment_record(
        assessor=w.second_supervisor,
        trainee=w.other_trainee,
        data={
            "kind": "procedural",
            "case": other,
            "assessed_on": TODAY,
            "entrustment": 3,
            "strengths": "Calm.",
            "development_points": "Faster access.",
        },
    )
    return w


def _client_for(user):
    client = Client()
    sign_in(client, user)
    return client


def download(client, dataset, fmt, **filters):
    return client.get(reverse("governance:export_download", args=[dataset, fmt]), filters)


def _trainees(rows) -> set[str]:
    return {row["trainee"] for row in rows}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dataset", DATASETS)
def test_each_role_exports_only_its_scope(world, dataset, fmt):
    mine, theirs = pseudonym("T", world.trainee.pk), pseudonym("T", world.other_trainee.pk)
    expected = {
        "trainee": {mine},
        "other_trainee": {theirs},
        "lead_supervisor": {mine},  # named on the first agreement only
        "second_supervisor": {mine, theirs},
        "governance_lead": {mine},  # Northgate's: the second agreement is all Southbank's
        "training_lead": {mine, theirs},
        "administrator": {mine, theirs},
        "outsider_director": set(),
    }
    counts = {"cases": (2, 1), "activities": (1, 1), "assessments": (1, 1)}[dataset]
    for name, trainees in expected.items():
        rows = read_export(download(_client_for(getattr(world, name)), dataset, fmt), fmt)
        assert _trainees(rows) == trainees, name
        expected_rows = (mine in trainees) * counts[0] + (theirs in trainees) * counts[1]
        assert len(rows) == expected_rows, name


def test_filters_narrow_within_the_scope(world):
    client = _client_for(world.administrator)

    def references(**filters):
        rows = read_export(download(client, "cases", "csv", **filters), "csv")
        return {r["reference"] for r in rows}

    everything = references()
    assert everything == {"A-CENTRE", "A-HOME", "B-1"}
    assert references(date_from=TODAY - timedelta(days=12), date_to=TODAY - timedelta(days=6)) == {
        "A-CENTRE"
    }
    assert references(site=world.home_site.pk) == {"A-HOME"}
    assert references(trainee=world.trainee.pk) == {"A-CENTRE", "A-HOME"}
    assert references(trainee=world.other_trainee.pk) == {"B-1"}
    # Organisation: the agreement's employer or training centre.
    assert references(organisation=world.employer.pk) == {"A-CENTRE", "A-HOME"}
    assert references(organisation=world.centre.pk) == everything
    # Activities and assessments filter on their own dates; assessments on the case's site.
    activities = read_export(
        download(client, "activities", "csv", date_from=TODAY - timedelta(days=2)), "csv"
    )
    assert [a["kind"] for a in activities] == ["teaching"]

    def assessed_cases(**filters):
        rows = read_export(download(client, "assessments", "xlsx", **filters), "xlsx")
        return {r["case_reference"] for r in rows}

    assert assessed_cases(site=world.site.pk) == {"A-CENTRE", "B-1"}
    assert assessed_cases(site=world.home_site.pk) == set()
    assert assessed_cases(trainee=world.other_trainee.pk, date_from=TODAY) == {"B-1"}


def test_phase_is_the_phase_on_the_date_of_the_record(small_world):
    meet_phase_one(small_world)  # two cases ten days ago, in phase 1
    request = progression_request_make(agreement=small_world.agreement, actor=small_world.trainee)
    sign_step(small_world, signoff_requests_for_subject(request).get().steps.get())
    assert phase_of(small_world).phase == 2
    add_case(small_world, reference="IN-PHASE-2", days_ago=0)
    client = _client_for(small_world.administrator)

    phase_two = read_export(download(client, "cases", "xlsx", phase=2), "xlsx")
    assert [(r["reference"], r["phase_on_date"]) for r in phase_two] == [("IN-PHASE-2", 2)]
    phase_one = read_export(download(client, "cases", "csv", phase=1), "csv")
    assert len(phase_one) == 2 and {r["phase_on_date"] for r in phase_one} == {"1"}
    assert read_export(download(client, "activities", "csv", phase=2), "csv") == []

    # Another trainee, still in phase 1, logs a case today: their own phase, not the phase the
    # first trainee entered today.
    other, _ = another_trainee_in_force(
        small_world,
        full_name="Dr Other Trainee",
        supervisors=[small_world.lead_supervisor],
        lead=small_world.lead_supervisor,
    )
    case_log(trainee=other, data=mt_case_data(small_world, reference="OTHER-1", performed_on=TODAY))
    phase_one = read_export(download(client, "cases", "csv", phase=1), "csv")
    assert "OTHER-1" in {r["reference"] for r in phase_one}


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_name_or_email_appears_in_any_export(world, fmt):
    client = _client_for(world.administrator)
    people = [world.trainee, world.other_trainee, world.lead_supervisor, world.second_supervisor]
    for dataset in DATASETS:
        response = download(client, dataset, fmt)
        content = b"".join(response.streaming_content)
        if fmt == "xlsx":
            sheet = load_workbook(io.BytesIO(content)).active
            cells = (str(cell.value) for row in sheet.iter_rows() for cell in row)
            content = "\n".join(cells).encode()
        text = content.decode("utf-8-sig")
        for person in people:
            assert person.full_name not in text and person.email not in text, (dataset, person)
            assert person.email.split("@")[0] not in text
    rows = read_export(download(client, "cases", fmt), fmt)
    assert {r["supervisor"] for r in rows} == {
        pseudonym("S", world.lead_supervisor.pk),
        pseudonym("S", world.second_supervisor.pk),
    }
    assert all(r["trainee"].startswith("T-") and len(r["trainee"]) == 10 for r in rows)


DANGEROUS = {
    "reflection": '=HYPERLINK("http://x")',
    "aborted_reason": "+1",
    "reference": "-2+3",
}


def test_formulas_are_escaped_and_numbers_stay_numbers(world):
    add_case(world, days_ago=1, age=82, passes=3, **DANGEROUS)
    activity_log(
        trainee=world.trainee,
        data={
            "kind": "mdt",
            "happened_on": TODAY,
            "hours": Decimal("1.5"),
            "notes": "@SUM(A1)",
            "supervisor": world.lead_supervisor,
        },
    )
    client = _client_for(world.trainee)

    csv_case = next(
        r for r in read_export(download(client, "cases", "csv"), "csv") if r["reference"] == "'-2+3"
    )
    assert csv_case["reflection"] == '\'=HYPERLINK("http://x")'
    assert csv_case["aborted_reason"] == "'+1"
    assert (csv_case["age"], csv_case["passes"], csv_case["revision"]) == ("82", "3", "1")

    response = download(client, "cases", "xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    row = next(
        r for r in sheet.iter_rows(min_row=2) if r[header.index("reference")].value == "'-2+3"
    )
    cell = {name: row[i] for i, name in enumerate(header)}
    for name, text in DANGEROUS.items():
        assert cell[name].value == "'" + text and cell[name].data_type == "s", name
    assert cell["age"].value == 82 and cell["age"].data_type == "n"
    assert cell["passes"].value == 3 and isinstance(cell["performed_on"].value, date)

    activities = read_export(download(client, "activities", "xlsx"), "xlsx")
    mdt = next(a for a in activities if a["notes"])
    assert mdt["notes"] == "'@SUM(A1)" and mdt["hours"] == 1.5
    csv_activity = next(
        a for a in read_export(download(client, "activities", "csv"), "csv") if a["notes"]
    )
    assert csv_activity["notes"] == "'@SUM(A1)" and csv_activity["hours"] == "1.5"


def test_escaping_covers_tab_and_carriage_return_but_not_ordinary_text():
    assert escape_formula("\t=1") == "'\t=1" and escape_formula("\r=1") == "'\r=1"
    assert escape_formula("M1 occlusion") == "M1 occlusion" and escape_formula("") == ""


def test_a_supervisor_never_sees_the_entry_of_a_case_waiting_for_their_view(world):
    add_case(
        world,
        verify=False,
        reference="PENDING",
        trainee_role="assistant",
        supervision_mode="in_room",
    )
    rows = read_export(download(_client_for(world.lead_supervisor), "cases", "csv"), "csv")
    pending = next(r for r in rows if r["reference"] == "PENDING")
    assert pending["trainee_role"] == "" and pending["supervision_mode"] == ""
    own = read_export(download(_client_for(world.trainee), "cases", "csv"), "csv")
    assert next(r for r in own if r["reference"] == "PENDING")["trainee_role"] == "assistant"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_export_is_recorded_with_who_scope_and_rows(world, fmt):
    client = _client_for(world.lead_supervisor)
    before = AuditEvent.objects.filter(verb="export.downloaded").count()
    response = download(client, "cases", fmt, date_from=TODAY - timedelta(days=30))
    if fmt == "csv":
        # The stream has not run yet: a CSV is recorded when it ends, with its row count.
        assert AuditEvent.objects.filter(verb="export.downloaded").count() == before
    rows = read_export(response, fmt)
    event = AuditEvent.objects.filter(verb="export.downloaded").latest("sequence")
    assert event.actor == world.lead_supervisor
    assert event.data["rows"] == len(rows) == 1
    assert event.data["dataset"] == "cases" and event.data["format"] == fmt
    assert event.data["filters"] == {"date_from": (TODAY - timedelta(days=30)).isoformat()}
    assert event.data["scope"] == {
        "roles": ["supervisor"],
        "organisations": [world.centre.pk],
        "own_only": True,
    }
    assert event.data["complete"] is True and event.request_id


def test_a_stream_cut_short_is_recorded_as_incomplete(world, rf):
    # The view itself, as the server calls it: no test-client wrapper around the stream.
    request = rf.get(reverse("governance:export_download", args=["cases", "csv"]))
    request.user = world.administrator
    response = export_views.export_download(request, dataset="cases", fmt="csv")
    next(iter(response.streaming_content))
    # The client goes away: the server closes the response (keeping the test's connection open).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    event = AuditEvent.objects.filter(verb="export.downloaded").latest("sequence")
    assert event.actor == world.administrator
    assert event.data["complete"] is False and event.data["rows"] == 0


def _many_cases(world, n):
    """n cases checked once by the service, then saved through the import's service."""
    template = case_build(
        trainee=world.trainee,
        data={
            "reference": "BULK-0",
            "performed_on": TODAY - timedelta(days=3),
            "site": world.site,
            "out_of_hours": False,
            "procedure": "mt",
            "trainee_role": "primary_operator",
            "supervisor": world.lead_supervisor,
            "supervision_mode": "scrubbed",
            "final_etici": "2c",
            "passes": 1,
            "any_complication": False,
            "reflection": (
                "Routine M1 case with a stent retriever; a long note so rows are not tiny."
            ),
        },
    )
    cases = []
    for i in range(n):
        case = Case(
            **{
                f.attname: getattr(template, f.attname)
                for f in Case._meta.concrete_fields
                if not f.primary_key
            }
        )
        case.reference = f"BULK-{i:05d}"
        case.performed_on = TODAY - timedelta(days=3 + i % 10)
        cases.append(case)
    case_save_many(trainee=world.trainee, cases=cases)


def _peak_while_streaming(client, **filters):
    tracemalloc.start()
    try:
        response = download(client, "cases", "csv", **filters)
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        return lines, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_csv_streams_2000_cases_in_bounded_memory(
    trainee_world, monkeypatch, django_assert_max_num_queries
):
    _many_cases(trainee_world, 2000)
    client = _client_for(trainee_world.administrator)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 50)
    iterator = mock.patch.object(QuerySet, "iterator", autospec=True, side_effect=QuerySet.iterator)
    # One query for the rows, however many: the rest is the request's own and the audit event.
    with iterator as spy, django_assert_max_num_queries(15):
        response = download(client, "cases", "csv")
        assert response.streaming
        assert sum(chunk.count(b"\n") for chunk in response.streaming_content) == 2001
    assert spy.call_args.kwargs == {"chunk_size": 50}

    # Memory does not grow with the rows: the peak for all 2,000 is close to that for 200.
    few_lines, few_peak = _peak_while_streaming(client, date_from=TODAY - timedelta(days=3))
    all_lines, all_peak = _peak_while_streaming(client)
    assert (few_lines, all_lines) == (1 + 200, 1 + 2000)
    assert all_peak < few_peak * 1.5, (few_peak, all_peak)


def test_bad_filter_input_is_a_form_error_not_a_500(world):
    client = _client_for(world.governance_lead)
    response = download(
        client, "cases", "csv", organisation="abc", site="99999", date_from="2024-13-45", phase="7"
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"organisation", "site", "date_from", "phase"}
    assert b"Enter a valid date" in response.content
    # An organisation outside the user's scope is not a choice either.
    response = download(client, "cases", "xlsx", organisation=world.outsider_org.pk)
    assert response.status_code == 400 and "organisation" in response.context["form"].errors
    response = download(
        client,
        "activities",
        "csv",
        site=world.site.pk,
        date_from="2025-02-01",
        date_to="2025-01-01",
    )
    assert set(response.context["form"].errors) == {"site", "date_to"}
    assert download(client, "patients", "csv").status_code == 404
    assert download(client, "cases", "pdf").status_code == 404
    assert not AuditEvent.objects.filter(verb="export.downloaded").exists()
    # The page answers the same way, beside the field.
    page = client.get(
        reverse("governance:exports"), {"dataset": "cases", "format": "csv", "trainee": "nobody"}
    )
    assert page.status_code == 200 and "trainee" in page.context["form"].errors


def test_the_page_sends_the_chosen_export_with_its_filters(world):
    client = _client_for(world.trainee)
    page = client.get(reverse("governance:exports"))
    assert page.status_code == 200 and b"own-scope-note" in page.content
    response = client.get(
        reverse("governance:exports"),
        {"dataset": "activities", "format": "xlsx", "date_from": "2025-01-01", "site": ""},
    )
    assert response.status_code == 302
    assert (
        response.url
        == reverse("governance:export_download", args=["activities", "xlsx"])
        + "?date_from=2025-01-01"
    )
    director = _client_for(world.employer_medical_director).get(reverse("governance:exports"))
    assert director.status_code == 200 and b"own-scope-note" not in director.content


def test_people_without_a_role_cannot_export(world):
    client = Client()
    sign_in(client, make_user(full_name="No Role"))
    assert client.get(reverse("governance:exports")).status_code == 403
    assert download(client, "cases", "csv").status_code == 403
    assert Client().get(reverse("governance:exports")).status_code == 302


@pytest.mark.parametrize("dataset", ["cases", "activities", "assessments"])
def test_an_xlsx_export_freezes_its_header_and_filters_every_column(world, dataset):
    """Issue 13, item 18: the header stays in view while scrolling, and every column filters."""
    response = download(_client_for(world.trainee), dataset, "xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    columns = len(next(sheet.iter_rows(max_row=1)))

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(columns)}{sheet.max_row}"
