"""Response headers the whole app sends, beside those Django's SecurityMiddleware and django-csp
set (tests/security/test_production_headers.py checks them all)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PermissionsPolicyMiddleware:
    """Refuses the browser features no page uses (settings.PERMISSIONS_POLICY), so a script that
    got in still cannot reach the camera, the microphone or the location. Placed before WhiteNoise,
    so static files carry it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SignedInNoStoreMiddleware:
    """Every response to a signed-in person says `Cache-Control: no-store`: on a shared ward PC the
    next person must not find the last one's pages (a trainee's logbook, a PDF) in the browser's
    cache or its back button. Anonymous pages (sign-in, /verify) keep their own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class HealthProbeMiddleware:
    """Answers GET /health/ before the host check and the HTTPS redirect: a load balancer's or an
    orchestrator's probe talks plain HTTP to the app's own address, with that address as its Host,
    and must get the health answer, not a 400 (DisallowedHost) or a 301 to https. The answer names
    no host and writes no URL, so the host check protects nothing here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/health/" and request.method in ("GET", "HEAD"):
            from .health import health

            return health(request)
        return self.get_response(request)
