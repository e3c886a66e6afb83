"""Fail closed: when a permission check or the database breaks in the middle of a request, the
person sees the plain error page (no traceback, no exception text, no settings), nothing is
written, and the ``security`` logger records the failure (audit/security.py)."""

import logging

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from agreements.models import VersionStatus
from agreements.services import agreement_version_submit
from audit.services import audit_chain_verify
from signoffs.models import Signature, SignoffRequest, SignoffStep

from ..agreements.conftest import draft, world  # noqa: F401  (world is a fixture)
from ..conftest import sign_in
from ..factories import TEST_BACKUP_CODES

pytestmark = pytest.mark.django_db

# Words that would mean the error page leaks how the app is built.
LEAKS = (
    "Traceback",
    "traceback",
    "Exception",
    "Error at",
    'File "',
    "SECRET_KEY",
    "DATABASES",
    "settings",
    "DEBUG",
    "psycopg",
    "site-packages",
    "SELECT ",
    "INSERT ",
)
# A backup code is spent by its own transaction before the signature's (so a failed signature
# cannot give the code back for replay): its row is the one write expected to survive.
SPENT_BY_DESIGN = {"otp_static.statictoken"}


@pytest.fixture(autouse=True)
def _production_error_pages(settings):
    settings.DEBUG = False


@pytest.fixture
def visitor():
    # A browser sees the response; the default test client would re-raise the exception instead.
    return Client(raise_request_exception=False)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in SPENT_BY_DESIGN
    }


def assert_generic_error_page(response, *secrets):
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    for leak in (*LEAKS, *secrets):
        assert leak not in page, f"the error page shows {leak!r}"


def security_records(caplog):
    return [r for r in caplog.records if r.name == "security"]


def test_the_error_page_is_plain_html_with_no_template_logic():
    # handler500 renders templates/500.html without a context: no variable can leak into it.
    from pathlib import Path

    from django.conf import settings

    page = (Path(settings.BASE_DIR) / "templates" / "500.html").read_text()
    assert "{{" not in page and "{%" not in page


def test_an_exception_in_a_permission_check_refuses_the_request(
    world, visitor, monkeypatch, caplog
):
    agreement = draft(world)
    sign_in(visitor, world.training_lead)
    before = row_counts()

    def broken_predicate(user):
        raise RuntimeError("predicate exploded: secret-detail-42")

    # Called by the rules predicate behind "agreements.manage_agreement" (agreements/rules.py).
    monkeypatch.setattr("agreements.rules.user_is_administrator", broken_predicate)
    with caplog.at_level(logging.ERROR, logger="security"):
        response = visitor.post(
            reverse("agreements:end", kwargs={"pk": agreement.pk}),
            {"reason": "Moving to another trust."},
        )

    assert_generic_error_page(response, "secret-detail-42", "predicate exploded")
    assert row_counts() == before
    assert agreement.versions.get().status == VersionStatus.DRAFT
    [record] = security_records(caplog)
    assert record.failure_kind == "permission_check"
    assert record.exception_class == "RuntimeError"
    assert str(world.training_lead.pk) in record.getMessage()
    # The exception's text stays out of the security log too: it may carry request values.
    assert "secret-detail-42" not in record.getMessage()


def test_a_database_error_in_the_middle_of_a_signature_writes_nothing(
    world, visitor, monkeypatch, caplog
):
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    step = request.steps.get(named_user=world.lead_supervisor)
    sign_in(visitor, world.lead_supervisor)  # spends TEST_BACKUP_CODES[0]
    before = row_counts()

    signature_writes = []
    real_signature_save = Signature.save

    def spy_signature_save(self, *args, **kwargs):
        real_signature_save(self, *args, **kwargs)
        signature_writes.append(self.pk)

    def failing_step_save(self, *args, **kwargs):
        raise DatabaseError("could not extend file: No space left on device")

    # The signature row is written first, then the step's status: the second write fails.
    monkeypatch.setattr(Signature, "save", spy_signature_save)
    monkeypatch.setattr(SignoffStep, "save", failing_step_save)
    with caplog.at_level(logging.ERROR, logger="security"):
        response = visitor.post(
            reverse("signoffs:sign", kwargs={"pk": step.pk}),
            {"decision": "approve", "reason": "", "code": TEST_BACKUP_CODES[1]},
        )

    assert signature_writes, "the fault was not injected after the signature's own write"
    assert_generic_error_page(response, "No space left", "could not extend")
    assert row_counts() == before
    assert not Signature.objects.exists()
    step.refresh_from_db()
    assert step.status == SignoffStep.Status.PENDING
    assert SignoffRequest.objects.get(pk=request.pk).status == SignoffRequest.Status.OPEN
    assert audit_chain_verify().intact
    [record] = security_records(caplog)
    assert record.failure_kind == "view"
    assert record.exception_class == "DatabaseError"


def test_after_the_failure_the_step_can_still_be_signed_and_the_chain_holds(
    world, visitor, monkeypatch
):
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    step = request.steps.get(named_user=world.lead_supervisor)
    sign_in(visitor, world.lead_supervisor)
    url = reverse("signoffs:sign", kwargs={"pk": step.pk})
    with monkeypatch.context() as patched:
        patched.setattr(
            SignoffStep,
            "save",
            lambda *a, **k: (_ for _ in ()).throw(DatabaseError("connection lost")),
        )
        assert (
            visitor.post(url, {"decision": "approve", "code": TEST_BACKUP_CODES[1]}).status_code
            == 500
        )

    response = visitor.post(url, {"decision": "approve", "code": TEST_BACKUP_CODES[2]})

    assert response.status_code == 302
    assert Signature.objects.filter(step=step).count() == 1
    call_command("audit_verify")
