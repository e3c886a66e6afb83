"""Fuzz the agreement forms: the new-agreement form, the draft's terms with its criteria formset,
and ending an agreement early (agreements/forms.py), as a training lead uses them."""

import pytest
from django.urls import reverse

from agreements.criteria_defaults import default_template_ensure
from agreements.models import CriteriaTemplate, CriterionTemplate

from ..agreements.conftest import draft, terms_for
from ..conftest import sign_in
from .conftest import fuzz_view

pytestmark = pytest.mark.django_db


def terms_as_posted(world) -> dict:
    """The draft's terms as the browser posts them."""
    posted: dict[str, str | list[str]] = {}
    for name, value in terms_for(world).items():
        if hasattr(value, "pk"):
            posted[name] = str(value.pk)
        elif isinstance(value, bool):
            if value:
                posted[name] = "on"
        elif isinstance(value, list):
            posted[name] = "\n".join(value) if name == "review_dates" else value
        else:
            posted[name] = str(value)
    posted["supervisors"] = [str(world.lead_supervisor.pk), str(world.second_supervisor.pk)]
    posted["lead_supervisor"] = str(world.lead_supervisor.pk)
    return posted


def _found(valid: dict) -> list:
    """What earlier runs found, replayed on every run: a pk beyond any integer column in a
    multiple choice was an OverflowError on SQLite (a 500), now "Select a valid choice"."""
    huge = "-" + "9" * 20
    return [
        ("form", {**valid, "supervisors": ["99999999999999999999"]}),
        (
            "form",
            {**valid, "supervisors": [valid["supervisors"][0], huge], "lead_supervisor": huge},
        ),
    ]


def test_new_agreement(world, visitor):
    template = default_template_ensure(CriteriaTemplate, CriterionTemplate)
    sign_in(visitor, world.training_lead)
    valid = {
        **terms_as_posted(world),
        "trainee": str(world.trainee.pk),
        "criteria_template": str(template.pk),
    }
    fuzz_view(
        visitor,
        "post",
        reverse("agreements:new"),
        valid,
        choices={
            "trainee": [str(p.pk) for p in world.people().values()],
            "employer": [str(world.centre.pk), str(world.outsider_org.pk)],
            "review_dates": ["2026-11-30", "31/02/2027", "2027-06-01,2027-06-01", "1/1/1"],
        },
        max_examples=20,
        examples=_found(valid),
    )


def test_draft_terms_and_criteria(world, visitor):
    agreement = draft(world)
    criteria = list(agreement.versions.get().criteria.all()[:3])
    sign_in(visitor, world.training_lead)
    valid = {
        **terms_as_posted(world),
        "criteria-TOTAL_FORMS": str(len(criteria)),
        "criteria-INITIAL_FORMS": str(len(criteria)),
    }
    for i, criterion in enumerate(criteria):
        valid |= {
            f"criteria-{i}-criterion_id": str(criterion.pk),
            f"criteria-{i}-description": criterion.description,
            f"criteria-{i}-target": str(criterion.target),
        }
    fuzz_view(
        visitor,
        "post",
        reverse("agreements:edit", kwargs={"pk": agreement.pk}),
        valid,
        choices={
            "criteria-TOTAL_FORMS": ["0", "1001", "100000000", "-1"],
            "criteria-0-criterion_id": ["0", "999999999"],
            "criteria-0-target": ["1e999999", "NaN", "-0", "99999.95"],
            "submit": ["Submit"],
        },
        max_examples=20,
        examples=_found(valid),
    )


def test_end_early(world, visitor):
    agreement = draft(world)
    sign_in(visitor, world.training_lead)
    fuzz_view(
        visitor,
        "post",
        reverse("agreements:end", kwargs={"pk": agreement.pk}),
        {"reason": "The trainee moved to another trust."},
        max_examples=10,
    )


def test_agreement_pages_with_hostile_queries(world, visitor):
    agreement = draft(world)
    sign_in(visitor, world.training_lead)
    for url in (
        reverse("agreements:list"),
        reverse("agreements:detail", kwargs={"pk": agreement.pk}),
    ):
        fuzz_view(visitor, "get", url, {"page": "2"}, max_examples=8)
