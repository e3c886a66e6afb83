"""Enrolment and the second-factor step of sign-in."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_event_record

from ..forms import AuthenticatorConfirmForm, SecondFactorCodeForm
from ..selectors import user_requires_two_factor
from ..services import backup_codes_regenerate, totp_enrolment_confirm, totp_enrolment_start

_BACKUP_CODES_SESSION_KEY = "fresh_backup_codes"


def _safe_next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next")
    # A path only: redirect() would read a bare word ("0", "home") as a URL name and fail.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Show a QR code for a new authenticator key and confirm it with a first code."""
    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():
        # Someone who already has a device must prove it before adding another.
        return redirect("accounts:two_factor_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = totp_enrolment_start(user=user)
    form = AuthenticatorConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = not device.verify_is_allowed()[0]
        codes = (
            None
            if throttled
            else totp_enrolment_confirm(user=user, device=device, token=form.cleaned_data["code"])
        )
        if throttled:
            form.add_error("code", "Too many wrong codes: wait a few seconds, then try again.")
        elif codes is None:
            form.add_error(
                "code",
                "That code does not match. Check the app shows this account and that your "
                "phone's clock is set automatically, then enter the newest code.",
            )
        else:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[_BACKUP_CODES_SESSION_KEY] = codes
            messages.success(request, "Two-factor authentication is on for your account.")
            query = urlencode({"next": _safe_next(request)})
            return redirect(f"{reverse('accounts:backup_codes')}?{query}")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, omitsize=True, title="QR code for your authenticator app"
    )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": _grouped_base32(device.bin_key),
            "required": user_requires_two_factor(user),
            "next": _safe_next(request, default=""),
        },
    )


def _grouped_base32(key: bytes) -> str:
    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    if not user_has_device(user, confirmed=True):
        return redirect("accounts:two_factor_setup")
    form = SecondFactorCodeForm(request.POST or None, submit_label="Verify")
    if request.method == "POST" and form.is_valid():
        throttled = _all_devices_throttled(user)
        device = None if throttled else match_token(user, form.cleaned_data["code"])
        if device is None:
            audit_event_record(
                actor=user,
                verb="two_factor.failed",
                subject=user,
                summary=f"Wrong second-factor code for {user}",
            )
            form.add_error(
                "code",
                "Too many wrong codes: wait a few seconds, then try again. Each wrong code "
                "doubles the wait."
                if throttled
                else "That code is not right, or it has already been used. Enter the newest code.",
            )
        else:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                remaining = device.token_set.count()
                messages.warning(
                    request,
                    f"You used a backup code; {remaining} remain. Each works once.",
                )
            return redirect(_safe_next(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _safe_next(request, default="")},
    )


def _all_devices_throttled(user) -> bool:
    """True while every device is in its wait after a wrong code (django-otp's throttling)."""
    return all(not device.verify_is_allowed()[0] for device in devices_for_user(user))


@login_required
def backup_codes(request):
    codes = request.session.pop(_BACKUP_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("accounts:security")
    return render(
        request, "accounts/backup_codes.html", {"codes": codes, "next": _safe_next(request)}
    )


@login_required
@require_POST
def backup_codes_new(request):
    request.session[_BACKUP_CODES_SESSION_KEY] = backup_codes_regenerate(user=request.user)
    return redirect("accounts:backup_codes")


@login_required
def security(request):
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "has_authenticator": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "backup_codes_left": sum(
                d.token_set.count() for d in StaticDevice.objects.filter(user=user)
            ),
        },
    )
