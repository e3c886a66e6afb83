from celery import shared_task

from .notifications import case_send_verification_reminders


@shared_task(name="caselogs.verification_reminders", acks_late=True)
def case_verification_reminders_task() -> int:
    return case_send_verification_reminders()
