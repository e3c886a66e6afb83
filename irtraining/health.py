"""/health/: database, cache and broker status as JSON, for load balancers and compose.

503 ("error") when the database, the cache or the broker fails: the app cannot serve. 200 with
"degraded" when it serves but an operator must act: static files not collected (pages fail), or
e-mail that reaches nobody (printed to the log in production, or a relay that does not answer).
Production answers it over plain HTTP, without a redirect (SECURE_REDIRECT_EXEMPT), for probes.
"""

import socket
import uuid

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from .startup import static_files_problem

# A probe every few seconds must not open a connection to the mail relay every time.
EMAIL_CHECK_CACHE_SECONDS = 60


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "vendor": connection.vendor}


def _check_cache() -> dict:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("value written was not read back")
    cache.delete(key)
    return {"status": "ok"}


def _check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "ok", "mode": "in-process (no broker configured)"}
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"status": "ok", "mode": "redis"}


def _check_static() -> dict:
    problem = static_files_problem()
    return {"status": "degraded", "problem": problem} if problem else {"status": "ok"}


def _email_relay_answers() -> bool:
    key = f"health:email:{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    answered = cache.get(key)
    if answered is None:
        try:
            with socket.create_connection((settings.EMAIL_HOST, settings.EMAIL_PORT), timeout=2):
                answered = True
        except OSError:
            answered = False
        cache.set(key, answered, timeout=EMAIL_CHECK_CACHE_SECONDS)
    return answered


def _check_email() -> dict:
    kind = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if kind == "smtp":
        if _email_relay_answers():
            return {"status": "ok", "mode": "smtp"}
        return {
            "status": "degraded",
            "mode": "smtp",
            "problem": "the mail relay EMAIL_URL names does not answer",
        }
    if settings.IS_PRODUCTION:
        return {
            "status": "degraded",
            "mode": kind,
            "problem": "e-mail is written to the log, not sent (EMAIL_URL)",
        }
    return {"status": "ok", "mode": kind}


CHECKS = (
    ("database", _check_database),
    ("cache", _check_cache),
    ("broker", _check_broker),
    ("static", _check_static),
    ("email", _check_email),
)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    checks = {}
    for name, check in CHECKS:
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
            checks[name] = {"status": "error", "error": exc.__class__.__name__}
    statuses = {check["status"] for check in checks.values()}
    status = "error" if "error" in statuses else "degraded" if "degraded" in statuses else "ok"
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "error" else 200
    )
