"""Thin tasks: take ids, re-read, exit if nothing is left to do, call the notification code."""

from celery import shared_task

from .notifications import (
    signoff_notify_open_steps,
    signoff_send_due_reminders,
    signoff_send_missed_notifications,
)


@shared_task(
    name="signoffs.notify",
    acks_late=True,
    max_retries=5,
    autoretry_for=(OSError,),
    retry_backoff=True,
)
def signoff_notify_task(request_id: int) -> int:
    return signoff_notify_open_steps(request_id=request_id)


@shared_task(name="signoffs.reminders", acks_late=True)
def signoff_reminders_task() -> int:
    return signoff_send_due_reminders()


@shared_task(name="signoffs.notify_sweep", acks_late=True)
def signoff_notify_sweep_task() -> int:
    return signoff_send_missed_notifications()
