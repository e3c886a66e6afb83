"""E-mail to signers: when a step becomes theirs, reminders after 3 and 7 days, and the outcome to
the author. Each send is recorded on the row first, so a retried task does not send twice, and a
sweep sends what a broker outage kept from being queued."""

from collections.abc import Iterator
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import SignoffRequest, SignoffStep
from .registry import handler_for
from .selectors import signoff_step_eligible_users

REMINDER_AFTER_DAYS = (3, 7)
# An outcome the sweep finds unsent is sent if the request closed this recently; older ones
# predate the sweep or were dealt with by hand, and an e-mail weeks late would only confuse.
MISSED_OUTCOME_DAYS = 7


def _signable_steps(request: SignoffRequest) -> list[SignoffStep]:
    pending = [s for s in request.steps.all() if s.status == SignoffStep.Status.PENDING]
    return pending[:1] if request.ordered else pending


def _step_messages(
    step: SignoffStep, subject_line: str
) -> Iterator[tuple[str, str, str, list[str]]]:
    url = settings.SITE_URL + reverse("signoffs:sign", args=[step.pk])
    signed = set(step.request.signatures.values_list("signer_id", flat=True))
    for user in signoff_step_eligible_users(step):
        if user.pk in signed or (
            user.pk == step.request.about_user_id and step.named_user_id != user.pk
        ):
            continue
        body = (
            f"Dear {user.full_name},\n\n"
            # The step's label as written: it names organisations and roles ("Second INR,
            # Riverside University Hospitals NHS Foundation Trust"), which lower case mangles.
            f"{step.request.title} is waiting for your signature.\n\n"
            f"You sign as: {step.label}.\n\n"
            f"By signing you state: {step.meaning}\n\n"
            f"Review and sign it here: {url}\n\n"
            "You will be asked for a code from your authenticator app.\n"
        )
        yield (subject_line, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def signoff_notify_open_steps(*, request_id: int) -> int:
    with transaction.atomic():
        request = SignoffRequest.objects.select_for_update().get(pk=request_id)
        messages = []
        now = timezone.now()
        if request.is_open:
            for step in _signable_steps(request):
                if step.notified_at is None:
                    messages += list(_step_messages(step, f"For your signature: {request.title}"))
                    step.notified_at = now
                    step.save(update_fields=["notified_at"])
        elif request.outcome_notified_at is None:
            messages.append(_outcome_message(request))
            request.outcome_notified_at = now
            request.save(update_fields=["outcome_notified_at"])
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
    return len(messages)


def _subject_page(request: SignoffRequest) -> str:
    """The page where the author reads the outcome in full (a reason given stays there)."""
    try:
        url = handler_for(request.kind).subject_url(request.subject)
    except LookupError:
        url = ""
    return settings.SITE_URL + (url or reverse("home"))


def _outcome_message(request: SignoffRequest) -> tuple[str, str, str, list[str]]:
    # What happened and where to read it: never the text a signer wrote (a decline's reason
    # stays on the signature, shown on the page).
    outcome = request.get_status_display().lower()
    body = f"Dear {request.created_by.full_name},\n\n{request.title} was {outcome}.\n"
    if request.status == SignoffRequest.Status.DECLINED:
        body += "\nThe reason given is on its page.\n"
    body += f"\nSee it here: {_subject_page(request)}\n"
    return (
        f"{request.get_status_display()}: {request.title}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [request.created_by.email],
    )


def signoff_send_due_reminders() -> int:
    """Remind signers of steps left waiting 3 and then 7 days. Safe to run as often as wanted."""
    now = timezone.now()
    sent = 0
    for level, days in enumerate(REMINDER_AFTER_DAYS, start=1):
        due = SignoffStep.objects.filter(
            status=SignoffStep.Status.PENDING,
            request__status=SignoffRequest.Status.OPEN,
            request__created_at__lte=now - timedelta(days=days),
            reminders_sent=level - 1,
        ).select_related("request")
        for step in due:
            if step not in _signable_steps(step.request):
                continue
            with transaction.atomic():
                locked = SignoffStep.objects.select_for_update().get(pk=step.pk)
                if locked.reminders_sent != level - 1:
                    continue
                messages = list(
                    _step_messages(step, f"Reminder ({days} days): {step.request.title}")
                )
                locked.reminders_sent = level
                locked.save(update_fields=["reminders_sent"])
                transaction.on_commit(partial(send_mass_mail, messages, fail_silently=False))
                sent += len(messages)
    return sent


def signoff_send_missed_notifications() -> int:
    """Send the e-mails whose task could not be queued (the broker was down when the request was
    opened, signed or closed): steps that are someone's to sign but were never announced, and
    approvals or declines the author was never told of. Safe to run as often as wanted and
    alongside the tasks themselves: each goes through signoff_notify_open_steps, which locks the
    request and records every send before it is made."""
    unannounced = (
        SignoffRequest.objects.filter(
            status=SignoffRequest.Status.OPEN,
            steps__status=SignoffStep.Status.PENDING,
            steps__notified_at__isnull=True,
        )
        .distinct()
        .prefetch_related("steps")
    )
    due = [
        request.pk
        for request in unannounced
        if any(step.notified_at is None for step in _signable_steps(request))
    ]
    due += SignoffRequest.objects.filter(
        status__in=[SignoffRequest.Status.APPROVED, SignoffRequest.Status.DECLINED],
        outcome_notified_at__isnull=True,
        closed_at__gte=timezone.now() - timedelta(days=MISSED_OUTCOME_DAYS),
    ).values_list("pk", flat=True)
    return sum(signoff_notify_open_steps(request_id=request_id) for request_id in due)
