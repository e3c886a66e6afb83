"""Unhandled exceptions in requests are security events.

A view that raises fails closed: Django answers with the plain 500 page (no traceback, no
exception text: DEBUG is off in production), the service's transaction has rolled back, and the
request is refused rather than allowed. This receiver adds the third part: a record on the
``security`` logger, so monitoring sees that a request failed, and whether it failed inside a
permission check (a broken predicate must page someone: it may be refusing everyone, or be one
edit away from allowing everyone).

It logs and never writes to the database: the failure may be the database itself, and the audit
log's own transaction was just rolled back. The message names the exception's class but not its
text, which can carry values from the request (free text, identifiers); Django's ``django.request``
logger keeps the traceback for the developers.
"""

import logging
import sys
import traceback
from types import TracebackType
from typing import Any

from django.http import HttpRequest

logger = logging.getLogger("security")

# Where permissions are decided: django-rules, our apps' rules.py, the sign-off eligibility rules,
# and Django's has_perm (which walks the authentication backends).
_PERMISSION_FUNCTIONS = {"has_perm", "has_perms", "user_is_eligible_for_step"}


def _is_permission_module(module: str) -> bool:
    return (
        module == "rules"
        or module.startswith("rules.")
        or module.endswith(".rules")
        or module.endswith(".eligibility")
    )


def raised_in_permission_check(tb: TracebackType) -> bool:
    return any(
        _is_permission_module(frame.f_globals.get("__name__", ""))
        or frame.f_code.co_name in _PERMISSION_FUNCTIONS
        for frame, _ in traceback.walk_tb(tb)
    )


def _user_id(request: HttpRequest) -> str:
    # The session's id, not request.user: loading the user needs the database, which may be down.
    try:
        return str(request.session.get("_auth_user_id") or "-")
    except Exception:  # noqa: BLE001  (the session store may be what failed)
        return "?"


def request_exception_log(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """got_request_exception receiver: one ERROR record on the ``security`` logger."""
    try:
        exc_type, _, tb = sys.exc_info()
        kind = "permission_check" if tb is not None and raised_in_permission_check(tb) else "view"
        logger.error(
            "security.request_failed: %s in %s, request refused (500). path=%s method=%s user=%s "
            "request_id=%s",
            exc_type.__name__ if exc_type else "unknown error",
            "a permission check" if kind == "permission_check" else "a view",
            getattr(request, "path", "?"),
            getattr(request, "method", "?"),
            _user_id(request) if request is not None else "-",
            getattr(request, "request_id", "-"),
            extra={
                "security_event": "request_failed",
                "failure_kind": kind,
                "exception_class": exc_type.__name__ if exc_type else "",
            },
        )
    except Exception:  # noqa: BLE001  (a failing log must never replace the 500 page)
        pass
