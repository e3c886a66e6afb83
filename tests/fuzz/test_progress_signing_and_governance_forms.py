"""Fuzz the remaining forms: competency sign-off and return to an earlier phase
(phases/forms.py), signing a step (signoffs/forms.py), checking a PDF on the public verification
page (documents/forms.py), the export filters (governance/exports.py), the audit report form
(governance/report_views.py) and the audit log's search, each as the person who uses it."""

import uuid
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from agreements.services import DOCUMENT_KIND, agreement_version_submit
from documents.models import GeneratedDocument
from documents.selectors import document_latest_for_subject
from documents.services import document_render

from ..agreements.conftest import draft
from ..conftest import sign_in
from .conftest import answer, fuzz, fuzz_view, uploaded_as
from .strategies import any_text, dates, tricky_text

pytestmark = pytest.mark.django_db


def test_competency_and_return_to_phase(trainee_world, visitor):
    world = trainee_world
    director = type(visitor)()
    sign_in(visitor, world.lead_supervisor)
    sign_in(director, world.employer_clinical_director)
    fuzz_view(
        visitor,
        "post",
        reverse("phases:competency", kwargs={"pk": world.agreement.pk}),
        {"competency": "mt_technique", "statement": "Observed three cases."},
    )
    fuzz_view(
        director,
        "post",
        reverse("phases:return", kwargs={"pk": world.agreement.pk}),
        {"to_phase": "1", "reason": "Concern about case selection."},
        choices={"to_phase": ["2", "3", "0", "1.0"]},
    )


def test_sign_a_step(world, visitor):
    request = agreement_version_submit(
        actor=world.training_lead, version=draft(world).versions.get()
    )
    step = request.steps.get(named_user=world.lead_supervisor)
    sign_in(visitor, world.lead_supervisor)
    fuzz_view(
        visitor,
        "post",
        reverse("signoffs:sign", kwargs={"pk": step.pk}),
        {"decision": "approve", "reason": "", "code": "test-0002"},
        choices={"decision": ["decline"], "code": ["000000", "test-0001", "TEST 0003"]},
    )


@pytest.fixture
def issued_document(trainee_world):
    document = document_latest_for_subject(DOCUMENT_KIND, trainee_world.version)
    document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.READY
    return document


def test_check_a_copy_on_the_public_verification_page(issued_document, visitor, settings):
    settings.DOCUMENTS_VERIFY_MAX_UPLOAD_BYTES = 64 * 1024
    url = reverse("documents:verify", kwargs={"code": issued_document.verification_code})
    genuine = issued_document.file.open("rb").read()

    uploads = st.one_of(
        st.binary(max_size=4000),
        st.just(genuine),
        st.builds(lambda cut: genuine[:cut], st.integers(0, len(genuine))),
        st.builds(lambda n: b"%PDF-1.7\n" + b"0" * n, st.integers(0, 200_000)),
    )

    @fuzz(20)
    @given(
        uploads,
        st.one_of(any_text, tricky_text).filter(bool),
        st.one_of(st.just(issued_document.verification_code), any_text, tricky_text),
    )
    def run(content, name, code):
        answer(visitor, "post", url, {"file": uploaded_as(name[:200], content)})
        # The code in the address is typed by people: any text is a page or a 404. Encoded as a
        # browser sends a path segment: a typed "?" or "#" is part of the code, not a query.
        answer(visitor, "get", f"/verify/{quote(code.replace('/', ''), safe='') or 'x'}/")

    run()


def test_export_filters(trainee_world, visitor):
    world = trainee_world
    sign_in(visitor, world.governance_lead)
    valid = {
        "dataset": "cases",
        "format": "csv",
        "organisation": str(world.employer.pk),
        "site": str(world.site.pk),
        "trainee": str(world.trainee.pk),
        "phase": "1",
        "date_from": "2020-01-01",
        "date_to": "2030-12-31",
    }
    fuzz_view(
        visitor,
        "get",
        reverse("governance:exports"),
        valid,
        choices={"dataset": ["activities", "assessments", "x"], "format": ["xlsx", "pdf"]},
    )
    for dataset, fmt in (("cases", "csv"), ("assessments", "xlsx")):
        fuzz_view(
            visitor,
            "get",
            reverse("governance:export_download", kwargs={"dataset": dataset, "fmt": fmt}),
            valid,
            battery=False,
            max_examples=8,
        )


def test_audit_report_form(trainee_world, visitor):
    world = trainee_world
    sign_in(visitor, world.governance_lead)
    fuzz_view(
        visitor,
        "post",
        reverse("governance:reports"),
        {
            "organisation": str(world.employer.pk),
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "submission_token": str(uuid.uuid4()),
        },
        choices={"period_start": ["2030-01-01", "0001-01-01"], "period_end": ["9999-12-31"]},
        max_examples=10,
    )


def test_audit_log_search(world, visitor):
    sign_in(visitor, world.administrator)
    url = reverse("audit:event_list")
    fuzz_view(visitor, "get", url, {"verb": "signoff", "page": "1"})

    @fuzz(10)
    @given(st.one_of(dates, any_text, tricky_text))
    def run(verb):
        answer(visitor, "get", url, ("query", {"verb": verb}))

    run()


@pytest.mark.parametrize("name", [".", "..", "\\", "x/.."])
def test_a_copy_named_by_a_hostile_browser(issued_document, visitor, name):
    # Found by the fuzz above: Django's multipart parser drops a file called "." or "..", so the
    # page must say beside the field that no file came, not fail.
    url = reverse("documents:verify", kwargs={"code": issued_document.verification_code})
    response = answer(visitor, "post", url, {"file": uploaded_as(name, b"%PDF-1.7\n")})
    assert response.status_code in (200, 400)
    assert "This field is required." in response.content.decode()
