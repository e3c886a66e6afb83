"""Fuzz the logbook forms (caselogs/forms.py, activity_forms.py, filters.py): logging and
correcting a case, verifying it, the case list's filters, activities and assessments, each as
the person who uses it."""

import uuid
from datetime import date, timedelta
from typing import cast

import pytest
from django.db.models import Field
from django.urls import reverse

from caselogs.models import Case
from caselogs.services import CASE_INPUT_FIELDS

from ..caselogs.conftest import log_case
from ..conftest import sign_in
from .conftest import fuzz_view

pytestmark = pytest.mark.django_db


def case_as_posted(world) -> dict:
    return {
        "reference": "FZ-001",
        "performed_on": (date.today() - timedelta(days=1)).isoformat(),
        "site": str(world.site.pk),
        "out_of_hours": "true",
        "procedure": "mt",
        "trainee_role": "primary_operator",
        "supervisor": str(world.lead_supervisor.pk),
        "supervision_mode": "scrubbed",
        "final_etici": "2b67",
        "passes": "2",
        "age": "67",
        "nihss_baseline": "14",
        "aspects": "8",
        "imaging": ["ncct", "cta"],
        "onset_to_arrival_minutes": "95",
        "door_to_puncture_minutes": "60",
        "procedure_minutes": "45",
        "haemorrhage_symptomatic": "",
        "mrs_90_days": "2",
        "reflection": "Second pass needed; aspiration first next time.",
    }


def case_choices() -> dict:
    """Every other valid value of each coded field, so cross-field rules meet real combinations."""
    choices = {}
    for name in CASE_INPUT_FIELDS:
        field = cast(Field, Case._meta.get_field(name))  # Case's own columns
        if field.choices:
            choices[name] = [str(value) for value, _ in field.choices]
    choices["performed_on"] = [
        date.today().isoformat(),
        (date.today() + timedelta(days=1)).isoformat(),
        "1900-01-01",
    ]
    choices["another"] = ["1"]
    return choices


def test_log_a_case(logbook, visitor):
    sign_in(visitor, logbook.trainee)
    fuzz_view(
        visitor,
        "post",
        reverse("caselogs:new"),
        case_as_posted(logbook),
        choices=case_choices(),
        max_examples=30,
    )


def test_correct_a_case(logbook, visitor):
    case = log_case(logbook)
    sign_in(visitor, logbook.trainee)
    fuzz_view(
        visitor,
        "post",
        reverse("caselogs:edit", kwargs={"pk": case.pk}),
        case_as_posted(logbook) | {"reference": case.reference},
        choices=case_choices(),
        battery=False,
        max_examples=20,
    )


def test_verify_a_case(logbook, visitor):
    case = log_case(logbook)
    sign_in(visitor, logbook.lead_supervisor)
    valid = {
        "role_view": "primary_operator",
        "mode_view": "scrubbed",
        "decision": "verified",
        "comment": "",
        "next": "/logbook/queue/",
    }
    fuzz_view(
        visitor,
        "post",
        reverse("caselogs:verify", kwargs={"pk": case.pk}),
        valid,
        choices={
            "decision": ["queried"],
            "next": [
                "0",
                "//evil.example",
                "https://evil.example/",
                "/\\evil",
                "javascript:alert(1)",
                "/logbook/\r\nSet-Cookie: x=1",
            ],
        },
    )


def test_case_list_filters_and_pages(logbook, visitor):
    log_case(logbook)
    sign_in(visitor, logbook.lead_supervisor)
    valid = {
        "performed_after": "2020-01-01",
        "performed_before": date.today().isoformat(),
        "procedure": "mt",
        "trainee_role": "primary_operator",
        "status": "submitted",
        "sort": "-date",
        "page": "1",
        "trainee": "all",
        "kind": "mdt",
    }
    choices = {
        "sort": ["date", "procedure", "status", "x"],
        "page": ["0", "-1", "last", "99999999999999999999"],
    }
    fuzz_view(visitor, "get", reverse("caselogs:list"), valid, choices=choices)
    for name in ("queue", "activities", "assessments"):
        fuzz_view(
            visitor,
            "get",
            reverse(f"caselogs:{name}"),
            valid,
            choices=choices,
            battery=False,
            max_examples=8,
        )


def test_log_an_activity_and_decide_it(logbook, visitor):
    from ..phases.conftest import add_activity

    activity = add_activity(logbook, confirm=False)
    supervisor = type(visitor)()
    sign_in(visitor, logbook.trainee)
    sign_in(supervisor, logbook.lead_supervisor)
    fuzz_view(
        visitor,
        "post",
        reverse("caselogs:activity_new"),
        {
            "kind": "mdt",
            "happened_on": date.today().isoformat(),
            "hours": "1.5",
            "notes": "Stroke MDT.",
            "supervisor": str(logbook.lead_supervisor.pk),
            "submission_token": str(uuid.uuid4()),
        },
        choices={"hours": ["0", "24", "1000", "0.25"]},
    )
    fuzz_view(
        supervisor,
        "post",
        reverse("caselogs:activity_decide", kwargs={"pk": activity.pk}),
        {"confirm": "yes", "comment": ""},
        choices={"confirm": ["no"]},
    )


def test_record_an_assessment(logbook, visitor):
    case = log_case(logbook)
    sign_in(visitor, logbook.lead_supervisor)
    url = reverse("caselogs:assessment_new")
    fuzz_view(visitor, "get", url, {"trainee": str(logbook.trainee.pk)})
    fuzz_view(
        visitor,
        "post",
        f"{url}?trainee={logbook.trainee.pk}",
        {
            "kind": "procedural",
            "case": str(case.pk),
            "assessed_on": date.today().isoformat(),
            "entrustment": "2",
            "strengths": "Steady catheter work.",
            "development_points": "Plan the second pass.",
            "submission_token": str(uuid.uuid4()),
        },
        choices={"entrustment": ["0", "1", "5", "6"], "kind": ["case_based_discussion"]},
    )
