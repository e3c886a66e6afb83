"""What each change to a document leaves behind: its row, its audit event, its log line.

A document that fails, is queued again, is swept or is revoked is a fact a governance lead may
have to account for later, so each is checked in full through the service that makes it: the
state, the words, who did it, and what the audit log commits to.
"""

import logging
import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from audit.models import AuditEvent
from documents.models import GeneratedDocument
from documents.services import (
    RENDER_ATTEMPTS_LIMIT,
    DocumentStateError,
    document_mark_failed,
    document_render,
    document_render_rescheduled,
    document_request,
    document_requeue,
    document_revoke,
    document_sweep_stale,
)
from documents.tasks import document_render_task
from privacy.commitments import text_commitment
from tests.factories import OrganisationFactory, make_user

from .conftest import FAILING_KIND, KIND, document_event

pytestmark = pytest.mark.django_db
Status = GeneratedDocument.Status
# Longer than both limits: 4,000 characters kept on the row, 500 in the audit event.
LONG_ERROR = "A" * 450 + "B" * 100 + "C" * 3500 + "D" * 50


def _failed_renders(document: GeneratedDocument, times: int) -> None:
    for _ in range(times):
        with pytest.raises(RuntimeError):
            document_render(document_id=document.pk)


def test_a_document_that_could_not_be_produced_is_failed_with_its_error_on_record(
    organisation, queued
):
    document = document_request(kind=FAILING_KIND, subject=organisation, content_digest="a" * 64)
    _failed_renders(document, 2)

    failed = document_mark_failed(document_id=document.pk, error=LONG_ERROR)

    failed.refresh_from_db()
    assert failed.status == Status.FAILED
    assert failed.last_error == LONG_ERROR[:4000] and len(failed.last_error) == 4000
    event = document_event("document.failed", document)
    assert event.actor is None
    assert event.summary == (
        f"Document {document.verification_code} could not be produced after 2 attempt(s)"
    )
    assert event.data == {"error": LONG_ERROR[:500], "attempts": 2}


def test_a_ready_document_is_never_marked_failed(organisation, issued):
    again = document_mark_failed(document_id=issued.pk, error="too late")

    again.refresh_from_db()
    assert again.status == Status.READY and again.last_error == ""
    assert not AuditEvent.objects.filter(verb="document.failed").exists()


def test_only_a_failed_document_is_queued_again(organisation, requested):
    with pytest.raises(DocumentStateError) as refused:
        document_requeue(document_id=requested.pk)

    assert str(refused.value) == "Only a document that failed can be queued again."
    assert not AuditEvent.objects.filter(verb="document.requeued").exists()


def test_queuing_a_failed_document_again_starts_it_afresh_and_records_who_and_why(
    organisation, queued, django_capture_on_commit_callbacks
):
    document = document_request(kind=FAILING_KIND, subject=organisation, content_digest="a" * 64)
    _failed_renders(document, 3)
    document_mark_failed(document_id=document.pk, error=LONG_ERROR)
    administrator = make_user()
    queued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        again = document_requeue(document_id=document.pk, actor=administrator)

    again.refresh_from_db()
    assert again.status == Status.PENDING and again.attempts == 0
    assert timezone.now() - again.queued_at < timedelta(minutes=1)
    assert queued == [document.pk]
    event = document_event("document.requeued", document)
    assert event.actor == administrator
    assert event.summary == f"Document {document.verification_code} queued again after it failed"
    assert event.data == {"previous_error": LONG_ERROR[:500]}


def test_asking_again_for_a_failed_document_records_who_asked(organisation, queued):
    document = document_request(kind=FAILING_KIND, subject=organisation, content_digest="a" * 64)
    document_mark_failed(document_id=document.pk, error="the print template is broken")
    asker = make_user()

    document_request(kind=FAILING_KIND, subject=organisation, content_digest="a" * 64, actor=asker)

    assert document_event("document.requeued", document).actor == asker


def test_the_sweeper_gives_up_on_one_document_and_still_queues_the_others_after_it(
    organisation, queued, django_capture_on_commit_callbacks, caplog
):
    with time_machine.travel(timezone.now() - timedelta(minutes=40)):
        poisonous = document_request(
            kind=FAILING_KIND, subject=organisation, content_digest="a" * 64
        )
    _failed_renders(poisonous, RENDER_ATTEMPTS_LIMIT)
    with time_machine.travel(timezone.now() - timedelta(minutes=30)):
        lost = [
            document_request(kind=KIND, subject=organisation, content_digest=digest * 64)
            for digest in "bc"
        ]
    queued.clear()

    with (
        caplog.at_level(logging.INFO, logger="documents.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert document_sweep_stale(older_than=timedelta(minutes=5)) == 2

    assert queued == [document.pk for document in lost]
    for document in lost:
        document.refresh_from_db()
        assert document.status == Status.PENDING
        assert timezone.now() - document.queued_at < timedelta(minutes=1)
    poisonous.refresh_from_db()
    assert poisonous.status == Status.FAILED
    assert poisonous.last_error == (
        f"Gave up after {RENDER_ATTEMPTS_LIMIT} attempts that did not finish "
        "(the worker may have been stopped while rendering)."
    )
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        "Queued 2 stale pending document(s) again"
    ]


def test_a_render_that_starts_keeps_the_sweeper_off_that_document_only(
    organisation, queued, django_capture_on_commit_callbacks
):
    """The render task moves its own document's sweep time on as it starts; the other documents
    lost in the same outage are still queued again."""
    with time_machine.travel(timezone.now() - timedelta(minutes=30)):
        started, lost = (
            document_request(kind=KIND, subject=organisation, content_digest=digest * 64)
            for digest in "fg"
        )
    queued.clear()

    document_render_rescheduled(document_id=started.pk, due_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert document_sweep_stale(older_than=timedelta(minutes=5)) == 1

    assert queued == [lost.pk]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_revocation_needs_a_reason(issued, reason):
    with pytest.raises(DocumentStateError) as refused:
        document_revoke(document=issued, reason=reason, actor=make_user())

    assert str(refused.value) == "Give the reason the document is revoked."
    issued.refresh_from_db()
    assert issued.revoked_at is None


def test_a_revocation_records_who_revoked_it_and_the_log_commits_to_the_reason(issued):
    governance_lead = make_user()

    revoked = document_revoke(
        document=issued, reason="  Issued to the wrong trainee  ", actor=governance_lead
    )

    revoked.refresh_from_db()
    assert revoked.revoked_reason == "Issued to the wrong trainee"
    assert revoked.revoked_by == governance_lead and revoked.revoked_at is not None
    event = document_event("document.revoked", issued)
    assert event.actor == governance_lead
    assert event.summary == f"Document {issued.verification_code} revoked"
    # The reason itself stays on the document's row: the log holds only its commitment.
    assert event.data == {
        "changed": {"revoked_reason": text_commitment("Issued to the wrong trainee")}
    }
    with pytest.raises(DocumentStateError) as refused:
        document_revoke(document=issued, reason="Again", actor=governance_lead)
    assert str(refused.value) == "This document is already revoked."


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["the system", "anonymous"])
def test_a_revocation_nobody_signed_in_made_names_nobody(issued, actor):
    revoked = document_revoke(document=issued, reason="Withdrawn", actor=actor)

    revoked.refresh_from_db()
    assert revoked.revoked_at is not None and revoked.revoked_by is None
    assert document_event("document.revoked", issued).actor is None


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a row lock held by another connection needs PostgreSQL (DATABASE_URL); CI runs this",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_log_truncatable")
def test_the_sweeper_passes_over_a_document_another_worker_holds(queued):
    """A stale document whose row a worker has locked (rendering it, or failing it) is left to
    that worker: the sweep neither waits for the lock nor queues it twice; the others are queued."""
    organisation = OrganisationFactory()
    with time_machine.travel(timezone.now() - timedelta(minutes=40)):
        held, lost = (
            document_request(kind=KIND, subject=organisation, content_digest=digest * 64)
            for digest in "ab"
        )
    queued.clear()
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                GeneratedDocument.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    worker = threading.Thread(target=hold)
    worker.start()
    try:
        assert locked.wait(timeout=10)
        with transaction.atomic():
            # Waiting for the worker's lock would fail here after 2 s instead of hanging.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            assert document_sweep_stale(older_than=timedelta(minutes=5)) == 1
    finally:
        release.set()
        worker.join(timeout=30)

    assert queued == [lost.pk]
    held.refresh_from_db()
    lost.refresh_from_db()
    assert timezone.now() - lost.queued_at < timedelta(minutes=1)
    assert timezone.now() - held.queued_at > timedelta(minutes=30)


@pytest.mark.parametrize(
    "error",
    [KombuOperationalError("[Errno 111] Connection refused"), ConnectionRefusedError("refused")],
)
def test_a_broker_that_cannot_be_reached_leaves_the_document_for_the_next_sweep(
    organisation, monkeypatch, caplog, django_capture_on_commit_callbacks, error
):
    """The person's request still succeeds; the error is logged naming the document, and the
    document is dated back so the first sweep after the broker returns queues it."""

    def unreachable(document_id: int) -> None:
        raise error

    monkeypatch.setattr(document_render_task, "delay", unreachable)
    other = document_request(kind=KIND, subject=organisation, content_digest="b" * 64)
    other.refresh_from_db()
    with (
        caplog.at_level(logging.ERROR, logger="documents.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        document = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)

    document.refresh_from_db()
    assert document.status == Status.PENDING
    assert timezone.now() - document.queued_at > timedelta(hours=23)
    # Only the document whose message was lost is dated back.
    assert GeneratedDocument.objects.get(pk=other.pk).queued_at == other.queued_at
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        f"Could not queue document {document.pk} ({error}); the sweeper will"
    ]
    # The sweep, with its usual threshold, finds it straight away.
    monkeypatch.setattr(document_render_task, "delay", lambda document_id: None)
    assert document_sweep_stale(older_than=timedelta(minutes=5)) == 1


def test_asking_for_a_document_records_who_asked_for_what(organisation, queued):
    asker = make_user()

    document = document_request(
        kind=KIND, subject=organisation, content_digest="c" * 64, actor=asker
    )

    event = document_event("document.requested", document)
    assert event.actor == asker
    assert event.summary == f"Organisation record requested for {organisation.name}"
    assert event.data == {
        "kind": KIND,
        "content_digest": "c" * 64,
        "template_version": "tests-1",
    }
    assert (document.template_version, document.status) == ("tests-1", Status.PENDING)
