from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as OTPStaticDefaultConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OTPTOTPDefaultConfig


class ProjectConfig(AppConfig):
    """The project package: settings, URLs, the admin site; no models. Installed for what holds
    across every app, such as the database lookups of irtraining.lookups."""

    name = "irtraining"
    verbose_name = "Thrombectomy training"

    def ready(self):
        from .lookups import register

        register()


class IRAdminConfig(AdminConfig):
    default_site = "irtraining.admin_site.TwoFactorAdminSite"


# The administration heads each app's models with its verbose name; these third-party apps have
# none, so it showed their labels (OTP_STATIC, OTP_TOTP, AXES). Same apps, same labels and tables.
class BackupCodesConfig(OTPStaticDefaultConfig):
    verbose_name = "Backup codes"


class AuthenticatorAppsConfig(OTPTOTPDefaultConfig):
    verbose_name = "Authenticator apps"


class SignInLockoutsConfig(AxesAppConfig):
    verbose_name = "Sign-in lockouts"
