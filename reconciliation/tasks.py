from celery import shared_task

from .services import quarterly_samples_draw


@shared_task(name="reconciliation.quarterly_samples", acks_late=True)
def quarterly_samples_task() -> int:
    return len(quarterly_samples_draw())
