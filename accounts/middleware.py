"""Two-factor is required before any page for every role except trainee.

A signed-in user who must use two-factor and has no device is sent to enrol; anyone with a device
(including a trainee who opted in) is sent to give a code. Until then only the pages needed to do
that, to sign out, and the public pages answer.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django_otp import user_has_device

from .selectors import user_requires_two_factor

_OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "accounts:logout",
        "accounts:two_factor_setup",
        "accounts:two_factor_verify",
        "health",
    }
)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._is_open(request):
            if user_has_device(user, confirmed=True):
                return self._redirect("accounts:two_factor_verify", request)
            if user_requires_two_factor(user):
                return self._redirect("accounts:two_factor_setup", request)
        return self.get_response(request)

    @staticmethod
    def _is_open(request):
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in _OPEN_BEFORE_SECOND_FACTOR

    @staticmethod
    def _redirect(view_name, request):
        response = redirect(view_name)
        if request.method == "GET":
            response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
