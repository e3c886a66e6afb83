"""Sign-in events go to the audit log: who signed in or out, and failed attempts by address."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.services import audit_event_record


def _client_address(request):
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit_event_record(
        actor=user,
        verb="account.signed_in",
        subject=user,
        summary=f"{user} signed in",
        data={"address": _client_address(request)},
    )


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_event_record(
            actor=user, verb="account.signed_out", subject=user, summary=f"{user} signed out"
        )


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:254]
    audit_event_record(
        actor=None,
        verb="account.sign_in_failed",
        summary=f"Failed sign-in for {username}",
        data={"username": username, "address": _client_address(request)},
    )
