"""A reminder to supervisors when a case has waited more than 7 days for verification."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import choices as c
from .models import Case

REMINDER_AFTER_DAYS = 7


def case_send_verification_reminders() -> int:
    """One e-mail per supervisor listing their cases waiting over 7 days; each case is reminded
    once per revision (the mark is set before the mail is sent, so a retry sends nothing twice)."""
    cutoff = timezone.now() - timedelta(days=REMINDER_AFTER_DAYS)
    with transaction.atomic():
        due = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(
                status=c.VerificationStatus.SUBMITTED,
                submitted_at__lte=cutoff,
                reminder_sent_at__isnull=True,
            )
            .select_related("supervisor", "trainee")
            .order_by("submitted_at")
        )
        by_supervisor = defaultdict(list)
        for case in due:
            by_supervisor[case.supervisor].append(case)
        # A bookkeeping mark, not part of the clinical record: written with update() on purpose,
        # so the case's history shows only what the trainee and supervisor did.
        Case.objects.filter(pk__in=[case.pk for case in due]).update(
            reminder_sent_at=timezone.now()
        )
        queue_url = settings.SITE_URL + reverse("caselogs:queue")
        messages = [
            (
                f"Cases waiting over {REMINDER_AFTER_DAYS} days for your verification: "
                f"{len(cases)}",
                f"Dear {supervisor.full_name},\n\nThese cases have waited more than "
                f"{REMINDER_AFTER_DAYS} days for your verification:\n\n"
                # The date, procedure and trainee only: the case's reference is the trainee's
                # own text and stays on the page the link opens.
                + "\n".join(
                    f"- {case.performed_on:%d %b %Y}: {case.get_procedure_display()}, "
                    f"{case.trainee.full_name}"
                    for case in cases
                )
                + f"\n\nReview them here: {queue_url}\n",
                settings.DEFAULT_FROM_EMAIL,
                [supervisor.email],
            )
            for supervisor, cases in by_supervisor.items()
        ]
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
    return len(due)
