"""How a higher app plugs its subjects into the engine without the engine importing it.

The app that owns a kind of decision (agreements, phases) registers a handler for it in its
AppConfig.ready. The engine asks the handler for the subject's canonical content (to take and
re-check the digest) and tells it the outcome, inside the signing transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SignoffHandler:
    content: Callable[[Any], dict]
    on_approved: Callable[[Any, Any], None]
    on_declined: Callable[[Any, Any], None]
    on_void: Callable[[Any], None] = lambda request: None
    subject_url: Callable[[Any], str] = lambda subject: ""
    # Who may open a request's page without being able to sign it (they see why they cannot).
    may_view: Callable[[Any, Any], bool] = lambda user, subject: False
    # A template shown on the sign page with the subject: what exactly is being decided.
    summary_template: str = ""


_handlers: dict[str, SignoffHandler] = {}


def register_signoff_kind(kind: str, handler: SignoffHandler) -> None:
    _handlers[kind] = handler


def handler_for(kind: str) -> SignoffHandler:
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"No sign-off handler is registered for {kind!r}.") from None
