"""What production checks when the web server starts, and /health/ reports while it runs.

The settings already refuse what the environment alone shows (SITE_URL not https, EMAIL_URL unset).
These need the files or the database, so they run once the app is loaded: `irtraining/wsgi.py`
calls `refuse_to_start_if_misconfigured` in production, so gunicorn (or any WSGI server) stops with
the reasons instead of serving a site that fails on every page or lets anyone in as the demo admin.
"""

import logging
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.db.models import Q

logger = logging.getLogger(__name__)

# Every page's layout asks for it: if the manifest cannot name it, no page can be drawn.
STATIC_FILE_EVERY_PAGE_USES = "css/app.css"


def static_files_problem() -> str | None:
    """Why pages would fail for want of static files, or None. Production's storage (WhiteNoise's
    manifest) needs `collectstatic`'s output: without it every {% static %} raises and every page
    is a 500. Development serves them from static/ and needs nothing."""
    from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestStaticFilesStorage):
        return None
    if not storage.exists(storage.manifest_name):
        return (
            f"static files were not collected: STATIC_ROOT has no {storage.manifest_name} (run "
            "`python manage.py collectstatic --noinput` under the production settings; the image "
            "does it when it is built)."
        )
    try:
        stored = storage.stored_name(STATIC_FILE_EVERY_PAGE_USES)
    except ValueError:
        return (
            f"the static files manifest does not list {STATIC_FILE_EVERY_PAGE_USES}: collect the "
            "static files again."
        )
    if not storage.exists(stored):
        return f"{stored} is listed in the static files manifest but missing: collect them again."
    return None


def demo_credentials_problem() -> str | None:
    """Whether the demo's published sign-in still opens an account: seed_demo's password on any of
    its addresses or anywhere at its domains, or its published backup codes on any account.

    Checking every account's password hash would take a second each (PBKDF2, as it should); the
    demo's accounts are the ones seed_demo makes, and everyone else's password passes the password
    validators, which refuse the demo password (accounts.validators)."""
    from django_otp.plugins.otp_static.models import StaticToken

    from accounts.demo import ALL_DEMO_PEOPLE, DEMO_BACKUP_CODES, DEMO_PASSWORD
    from accounts.models import User

    demo_emails = {person.email for person in ALL_DEMO_PEOPLE}
    at_demo_domains = Q(email__in=demo_emails)
    for domain in {email.partition("@")[2] for email in demo_emails}:
        at_demo_domains |= Q(email__iendswith=f"@{domain}")
    demo_accounts = User.objects.filter(at_demo_domains, is_active=True).only("email", "password")
    found = next((u.email for u in demo_accounts if u.check_password(DEMO_PASSWORD)), None)
    if found:
        return (
            f"the demo password is set on {found}: seed_demo's accounts must never reach "
            "production (restore a database without them, or set each a new password)."
        )
    codes = StaticToken.objects.filter(token__in=DEMO_BACKUP_CODES).select_related("device__user")
    holder = codes.first()
    if holder is not None:
        return (
            f"the demo's published backup codes are set on {holder.device.user.email}: remove "
            "that account's backup codes (or the account)."
        )
    return None


def system_check_errors() -> list[str]:
    """The errors Django's system checks find (the seal and credential keys among them:
    documents/checks.py). `migrate` and `check --deploy` run them, but gunicorn does not: without
    this a web started with no seal key would serve pages and fail on every PDF."""
    from django.core.checks import ERROR, run_checks

    return [
        f"{message.msg} {message.hint or ''} ({message.id})".replace("  ", " ")
        for message in run_checks()
        if message.level >= ERROR
    ]


def refuse_to_start_if_misconfigured() -> None:
    """In production, stop the web server with every reason it must not serve. A database that
    cannot be read yet (down, or not migrated) does not stop it: /health/ says so, and the check
    runs again at the next start."""
    if not settings.IS_PRODUCTION:
        return
    found: list[str | None] = [static_files_problem(), *system_check_errors()]
    try:
        found.append(demo_credentials_problem())
    except DatabaseError as error:
        logger.warning("Could not check the accounts for demo credentials: %s", error)
    problems = [problem for problem in found if problem]
    if problems:
        message = "Refusing to start in production:\n- " + "\n- ".join(problems)
        # Said plainly before the traceback the server prints.
        print(message, file=sys.stderr, flush=True)
        raise ImproperlyConfigured(message)


class DemoPasswordValidator:
    """Refuses the demo's published password as anyone's new password (AUTH_PASSWORD_VALIDATORS),
    so the start-up check need only look at the accounts seed_demo makes."""

    def validate(self, password: str, user: object = None) -> None:
        from django.core.exceptions import ValidationError

        from accounts.demo import DEMO_PASSWORD

        if password == DEMO_PASSWORD:
            raise ValidationError(
                "This is the demo's published password: choose another.", code="demo_password"
            )

    def get_help_text(self) -> str:
        return "Your password cannot be the demo's published password."
