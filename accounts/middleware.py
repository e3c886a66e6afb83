"""Two-factor is required before any page for every role, trainees included.

A signed-in user with a role and no device is sent to enrol; anyone with a device is sent to give
a code. Until then only the pages needed to do that, to sign out, and the public pages answer.
"""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from .selectors import user_has_confirmed_device, user_requires_two_factor

_OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "accounts:logout",
        "accounts:two_factor_setup",
        "accounts:two_factor_verify",
        "favicon",
        "health",
    }
)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        # is_verified is added to the user by django_otp's OTPMiddleware.
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]  # django_otp's
            and not self._is_open(request)
        ):
            if user_has_confirmed_device(user):
                return self._redirect("accounts:two_factor_verify", request)
            if user_requires_two_factor(user):
                return self._redirect("accounts:two_factor_setup", request)
        return self.get_response(request)

    @staticmethod
    def _is_open(request: HttpRequest) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in _OPEN_BEFORE_SECOND_FACTOR

    @staticmethod
    def _redirect(view_name: str, request: HttpRequest) -> HttpResponse:
        response = redirect(view_name)
        if request.method == "GET":
            response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response


_RENEWED_AT = "_idle_renewed_at"
RENEW_AFTER_SECONDS = 60


class IdleTimeoutRenewalMiddleware:
    """Renews a signed-in session's 30 idle minutes (SESSION_COOKIE_AGE) at most once a minute.

    Django's SESSION_SAVE_EVERY_REQUEST writes and commits the session row on every page, which
    was a third of a logbook page's database time (docs/performance.md). Marking the session
    changed once a minute makes SessionMiddleware save it with a fresh expiry; the idle limit is
    thereby between 29 and 30 minutes. Placed after AuthenticationMiddleware, so on the way out
    it runs before SessionMiddleware saves, and after a sign-out (an anonymous user) it does not
    bring the flushed session back. A request that never read the session (a health check, a
    static file) is left alone rather than made to load it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get(_RENEWED_AT, 0) >= RENEW_AFTER_SECONDS:
                session[_RENEWED_AT] = now
        return response
