"""Activities confirmed by a supervisor, assessments recorded by one, and the 7-day reminder."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from caselogs.activity_services import activity_decide, activity_log, assessment_record
from caselogs.models import Activity, Assessment
from caselogs.tasks import case_verification_reminders_task

from ..conftest import sign_in
from ..factories import make_member
from .conftest import log_case

pytestmark = pytest.mark.django_db


def _activity(world, **overrides):
    data = {
        "kind": "mdt",
        "happened_on": date.today() - timedelta(days=2),
        "hours": "1.5",
        "notes": "Weekly neurovascular MDT",
        "supervisor": world.lead_supervisor,
    }
    data.update(overrides)
    return activity_log(trainee=world.trainee, data=data)


def test_an_activity_is_confirmed_by_its_supervisor_only(logbook):
    activity = _activity(logbook)
    with pytest.raises(ValidationError):
        activity_decide(activity=activity, supervisor=logbook.second_supervisor, confirm=True)
    with pytest.raises(ValidationError):
        activity_decide(activity=activity, supervisor=logbook.trainee, confirm=True)
    activity_decide(activity=activity, supervisor=logbook.lead_supervisor, confirm=True)
    assert Activity.objects.get().status == "confirmed"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("hours", "0", "greater than or equal to 0.5"),
        ("hours", "30", "less than or equal to 24"),
        ("happened_on", date.today() + timedelta(days=3), "future"),
        ("notes", "Discussed pt born 12/03/1956", "date"),
        ("kind", "party", "not a valid choice"),
    ],
)
def test_bad_activity_input_is_refused_beside_the_field(logbook, field, value, message):
    with pytest.raises(ValidationError) as excinfo:
        _activity(logbook, **{field: value})
    assert message in " ".join(excinfo.value.message_dict[field])
    assert not Activity.objects.exists()


def test_activity_pages_by_role(logbook, client):
    activity = _activity(logbook)
    sign_in(client, logbook.lead_supervisor)
    page = client.get("/logbook/activities/").content.decode()
    assert "MDT or stroke meeting" in page and 'value="yes"' in page
    response = client.post(f"/logbook/activities/{activity.pk}/decide/", {"confirm": "no"})
    assert response.status_code == 302
    assert Activity.objects.get().status == "submitted"  # a query needs a comment
    client.post(f"/logbook/activities/{activity.pk}/decide/", {"confirm": "yes"})
    assert Activity.objects.get().status == "confirmed"
    client.logout()
    stranger = make_member(Role.SUPERVISOR, logbook.centre)
    sign_in(client, stranger)
    assert "Weekly neurovascular MDT" not in client.get("/logbook/activities/").content.decode()
    assert (
        client.post(f"/logbook/activities/{activity.pk}/decide/", {"confirm": "yes"}).status_code
        == 404
    )


def _assessment_data(case=None, **overrides):
    data = {
        "kind": "procedural",
        "case": case,
        "assessed_on": date.today(),
        "entrustment": 2,
        "strengths": "Safe access and catheterisation.",
        "development_points": "Pass planning.",
    }
    data.update(overrides)
    return data


def test_a_procedural_assessment_links_its_case(logbook):
    with pytest.raises(ValidationError) as excinfo:
        assessment_record(
            assessor=logbook.lead_supervisor, trainee=logbook.trainee, data=_assessment_data()
        )
    assert "choose the case" in excinfo.value.message_dict["case"][0]
    case = log_case(logbook)
    assessment = assessment_record(
        assessor=logbook.lead_supervisor, trainee=logbook.trainee, data=_assessment_data(case)
    )
    assert assessment.case == case and assessment.entrustment == 2


@pytest.mark.parametrize("level", [0, 5])
def test_entrustment_is_1_to_4(logbook, level):
    with pytest.raises(ValidationError) as excinfo:
        assessment_record(
            assessor=logbook.lead_supervisor,
            trainee=logbook.trainee,
            data=_assessment_data(kind="case_based_discussion", entrustment=level),
        )
    assert "entrustment" in excinfo.value.message_dict
    assert not Assessment.objects.exists()


def test_only_a_named_supervisor_assesses(logbook):
    stranger = make_member(Role.SUPERVISOR, logbook.centre)
    with pytest.raises(ValidationError, match="named on the trainee"):
        assessment_record(
            assessor=stranger,
            trainee=logbook.trainee,
            data=_assessment_data(kind="case_based_discussion"),
        )


def test_the_supervisor_records_an_assessment_through_the_page(logbook, client):
    case = log_case(logbook)
    sign_in(client, logbook.lead_supervisor)
    url = f"/logbook/assessments/new/?trainee={logbook.trainee.pk}"
    response = client.post(
        url, {**_assessment_data(case.pk), "assessed_on": date.today().isoformat()}
    )
    assert response.status_code == 302, response.context["form"].errors
    assert "Rad-DOPS" in client.get("/logbook/assessments/").content.decode()


def test_a_case_waiting_seven_days_reminds_its_supervisor_once(
    logbook, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = log_case(logbook, reference="W-1")
    with (
        time_machine.travel(start + timedelta(days=6), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert case_verification_reminders_task() == 0
    with (
        time_machine.travel(start + timedelta(days=8), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert case_verification_reminders_task() == 1
        assert case_verification_reminders_task() == 0
    assert [m.to[0] for m in mail.outbox] == [logbook.lead_supervisor.email]
    body = mail.outbox[0].body
    # The case by its date, procedure and trainee, and the link to the queue; never the
    # reference the trainee wrote.
    assert (
        f"{case.performed_on:%d %b %Y}: {case.get_procedure_display()}, {logbook.trainee.full_name}"
    ) in body
    assert reverse("caselogs:queue") in body
    assert "W-1" not in body
