"""Quantities on the agreement page and in its PDF agree in number with their noun: "1 session a
week", "1 month", "1 thrombectomy a year" (the page once said "1 sessions a week")."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.pdf import render_agreement_html
from documents.models import GeneratedDocument

from ..conftest import sign_in
from .conftest import draft, submit_and_sign_all

pytestmark = pytest.mark.django_db


def _words(html: str) -> str:
    return " ".join(html.split())


def test_one_of_each_is_singular_on_the_page_and_in_the_pdf(
    client, world, django_capture_on_commit_callbacks
):
    agreement = draft(
        world,
        expected_duration_months=1,
        audit_frequency_months=1,
        minimum_mt_per_year=1,
        backfill_trainee_sessions=Decimal("1.0"),
        backfill_centre_sessions=Decimal("1.5"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        version, _ = submit_and_sign_all(world, agreement)
    sign_in(client, world.training_lead)
    page = _words(client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode())
    document = GeneratedDocument.objects.get(kind="agreement", subject_id=version.pk)
    pdf = _words(render_agreement_html(version, document))
    for text in (page, pdf):
        assert "1 session a week" in text and "1.5 sessions a week" in text
        assert "1 sessions" not in text
        assert "1 months" not in text and "1 thrombectomies" not in text
        assert "1 thrombectomy a year" in text
    assert ">1 month<" in page and "Every month," in page
    assert "1 month. Each phase" in pdf and "reviewed every month." in pdf
