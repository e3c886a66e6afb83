"""Sign-in events go to the audit log: who signed in or out, and failed attempts by address."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from audit.services import audit_event_record

from .models import User


def _client_address(request: HttpRequest | None) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in)
def record_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_event_record(
        actor=user,
        verb="account.signed_in",
        subject=user,
        summary=f"{user} signed in",
        data={"address": _client_address(request)},
    )


@receiver(user_logged_out)
def record_logout(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        audit_event_record(
            actor=user, verb="account.signed_out", subject=user, summary=f"{user} signed out"
        )


@receiver(user_login_failed)
def record_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:254]
    audit_event_record(
        actor=None,
        verb="account.sign_in_failed",
        summary=f"Failed sign-in for {username}",
        data={"username": username, "address": _client_address(request)},
    )
