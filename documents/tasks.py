"""Thin tasks: take an id, let the service re-read and skip work already done.

Both run on the `documents` queue (CELERY_TASK_ROUTES), whose worker is started with
--max-tasks-per-child because WeasyPrint grows in long-lived processes.
"""

import logging
from datetime import timedelta

from celery import Task, shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.utils import timezone

from .models import GeneratedDocument
from .services import (
    document_mark_failed,
    document_render,
    document_render_rescheduled,
    document_sweep_stale,
)

logger = logging.getLogger(__name__)

RENDER_MAX_RETRIES = 5


def _retry_countdown(retries: int) -> float:
    return min(
        settings.DOCUMENTS_RENDER_RETRY_SECONDS * 2**retries,
        settings.DOCUMENTS_RENDER_RETRY_MAX_SECONDS,
    )


@shared_task(
    name="documents.render",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # Nobody reads the result (the row is the result), and asking the result store to watch for
    # it would make queuing hang while Redis is down instead of failing at once.
    ignore_result=True,
    max_retries=RENDER_MAX_RETRIES,
    # The sweeper's threshold is longer than the hard limit (settings), so it never queues again a
    # render still running; the soft limit fails a slow render into its retries first.
    soft_time_limit=settings.DOCUMENTS_RENDER_TIME_LIMIT_SECONDS - 15,
    time_limit=settings.DOCUMENTS_RENDER_TIME_LIMIT_SECONDS,
)
def document_render_task(self: Task, document_id: int) -> str | Retry | None:
    # The sweeper counts from here: a render that started is left alone for as long as a render may
    # run, and one whose whole worker died is queued again that long after it started, not after the
    # broker's visibility timeout (settings.DOCUMENTS_SWEEP_AFTER_SECONDS).
    document_render_rescheduled(document_id=document_id, due_at=timezone.now())
    try:
        return document_render(document_id=document_id).status
    except GeneratedDocument.DoesNotExist:
        logger.warning("Document %s no longer exists; nothing to render", document_id)
        return None
    except Exception as error:
        if self.request.retries >= self.max_retries:  # type: ignore[operator]  # set: RENDER_MAX_RETRIES
            logger.exception("Document %s failed after %s retries", document_id, self.max_retries)
            return document_mark_failed(
                document_id=document_id, error=f"{type(error).__name__}: {error}"
            ).status
        if self.request.is_eager:
            # In-process (no broker): hand the retry back to apply(), which runs it again at once,
            # so a document that keeps failing ends "failed" instead of raising in the caller.
            return self.retry(exc=error, throw=False)
        countdown = _retry_countdown(self.request.retries)
        document_render_rescheduled(
            document_id=document_id, due_at=timezone.now() + timedelta(seconds=countdown)
        )
        raise self.retry(exc=error, countdown=countdown)  # noqa: B904  (Celery's idiom: retry() keeps exc)


@shared_task(name="documents.sweep", acks_late=True, ignore_result=True)
def document_sweep_task() -> int:
    seconds = settings.DOCUMENTS_SWEEP_AFTER_SECONDS
    return document_sweep_stale(older_than=timedelta(seconds=seconds))
