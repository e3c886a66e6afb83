"""The admin site: administrators only, after two-factor, signing in through the app's own login."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class TwoFactorAdminSite(admin.AdminSite):
    site_header = "Thrombectomy training: administration"
    site_title = "Administration"
    index_title = "Programme administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_verified()  # type: ignore[attr-defined]  # added by django_otp's OTPMiddleware
            and (user.is_superuser or user.has_perm("accounts.access_admin"))
        )

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.user.is_authenticated:
            # Signed in but not an administrator: sending them to sign in again would loop.
            raise PermissionDenied
        # One sign-in path for everyone, so lockout and two-factor cannot be bypassed here.
        return redirect_to_login(request.GET.get("next", self.index_url()))

    def index_url(self) -> str:
        return reverse("admin:index", current_app=self.name)
