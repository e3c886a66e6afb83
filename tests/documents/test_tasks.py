"""The render task retries then marks the document failed; the sweeper re-queues stale ones."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from documents import services
from documents.models import GeneratedDocument
from documents.services import RENDER_ATTEMPTS_LIMIT, document_request
from documents.tasks import RENDER_MAX_RETRIES, document_render_task, document_sweep_task
from irtraining.celery import app

from .conftest import FAILING_KIND, KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery(settings):
    """Run tasks in-process even when the settings point Celery at a real broker. Through Django's
    settings (which Celery reads on each access), never app.conf.update: that would outlive the
    test and make later real-worker tests run eagerly."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    assert app.conf.task_always_eager is True


def test_the_tasks_are_registered_on_the_documents_queue():
    assert document_render_task.name == "documents.render"
    assert document_sweep_task.name == "documents.sweep"
    assert document_render_task.acks_late is True
    assert document_render_task.max_retries == RENDER_MAX_RETRIES == 5
    for name in ("documents.render", "documents.sweep"):
        assert app.amqp.router.route({}, name)["queue"].name == "documents"


def test_a_render_queued_after_commit_produces_the_pdf(
    organisation, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.READY


def test_a_failing_renderer_ends_failed_after_the_retries(organisation, queued, eager_celery):
    document = document_request(kind=FAILING_KIND, subject=organisation, content_digest="a" * 64)
    document_render_task.apply(args=[document.pk])
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.FAILED
    assert document.attempts == RENDER_MAX_RETRIES + 1
    assert "the print template is broken" in document.last_error


def test_the_last_retry_marks_failed_and_earlier_ones_retry(organisation, queued):
    document = document_request(kind=FAILING_KIND, subject=organisation, content_digest="a" * 64)
    document_render_task.apply(args=[document.pk], retries=RENDER_MAX_RETRIES)
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.FAILED
    assert document.attempts == 1


def test_a_failure_in_a_worker_schedules_a_retry_and_keeps_the_sweeper_off(
    organisation, queued, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now() - timedelta(minutes=30)):
        document = document_request(
            kind=FAILING_KIND, subject=organisation, content_digest="a" * 64
        )
    # Called as a worker calls it (not eagerly): the first failure schedules a retry.
    with pytest.raises(RuntimeError):
        document_render_task(document.pk)
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.PENDING
    assert document.attempts == 1
    assert document.queued_at > timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert document_sweep_task() == 0
    assert queued == []


def test_asking_again_for_a_failed_document_tries_again(organisation, queued):
    document = document_request(kind=FAILING_KIND, subject=organisation, content_digest="a" * 64)
    document_render_task.apply(args=[document.pk], retries=RENDER_MAX_RETRIES)
    again = document_request(kind=FAILING_KIND, subject=organisation, content_digest="a" * 64)
    assert again.pk == document.pk
    assert again.status == GeneratedDocument.Status.PENDING
    assert again.attempts == 0


def test_the_sweeper_requeues_only_stale_pending_documents(
    organisation, other_organisation, queued, settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENTS_SWEEP_AFTER_SECONDS = 5 * 60
    with time_machine.travel(timezone.now() - timedelta(minutes=30)):
        stale = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
        done = document_request(kind=KIND, subject=organisation, content_digest="b" * 64)
        document_render_task(done.pk)
    fresh = document_request(kind=KIND, subject=other_organisation, content_digest="a" * 64)

    with django_capture_on_commit_callbacks(execute=True):
        assert document_sweep_task() == 1
    assert queued == [stale.pk]
    # Idempotent: the stale one was just queued again, so a second sweep leaves it alone.
    with django_capture_on_commit_callbacks(execute=True):
        assert document_sweep_task() == 0
    assert queued == [stale.pk]
    assert fresh.pk not in queued and done.pk not in queued


def test_the_sweeper_gives_up_on_a_document_that_keeps_killing_its_worker(
    organisation, queued, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now() - timedelta(minutes=30)):
        document = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
        for _ in range(RENDER_ATTEMPTS_LIMIT):
            _start_a_render_whose_worker_is_killed(document)
    with django_capture_on_commit_callbacks(execute=True):
        assert document_sweep_task() == 0
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.FAILED
    assert queued == []


def _start_a_render_whose_worker_is_killed(document):
    with (
        mock.patch.object(services, "pdf_render", side_effect=SystemExit),
        pytest.raises(SystemExit),
    ):
        services.document_render(document_id=document.pk)
