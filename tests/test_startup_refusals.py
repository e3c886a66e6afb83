"""Production refuses to start half-configured (issue 18; docs/deploy.md, "Start-up refusals").

What the environment shows (SITE_URL not https, EMAIL_URL unset) is refused by the settings
(tests/test_configuration.py); what needs files or the database (static files collected, the demo's
credentials) by the web server's start (irtraining/startup.py, called from irtraining/wsgi.py),
tested here. seed_demo refuses production too.
"""

import os
import shutil
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test.utils import override_settings

from accounts.demo import DEMO_PASSWORD, seed_people
from irtraining.startup import (
    DemoPasswordValidator,
    demo_credentials_problem,
    static_files_problem,
)

from .factories import make_user
from .test_configuration import _VARIABLES, ROOT

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic's output under production's storage, made once (it takes seconds)."""
    root = tmp_path_factory.mktemp("collected") / "staticfiles"
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST_STORAGE):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def manifest_storage(settings, tmp_path):
    """Production's storage over a STATIC_ROOT of the test's own (empty until a test fills it)."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = MANIFEST_STORAGE
    return settings.STATIC_ROOT


def test_static_files_not_collected_are_refused(manifest_storage):
    problem = static_files_problem()
    assert problem and "static files were not collected" in problem
    assert "collectstatic" in problem


def test_collected_static_files_pass(manifest_storage, collected):
    shutil.copytree(collected, manifest_storage)
    assert static_files_problem() is None


def test_a_manifest_naming_a_missing_file_is_refused(manifest_storage, collected):
    shutil.copytree(collected, manifest_storage)
    for hashed in (manifest_storage / "css").glob("app.*.css"):
        hashed.unlink()
    problem = static_files_problem()
    assert problem and "missing" in problem


def test_development_needs_no_collected_static_files():
    assert static_files_problem() is None


def test_the_demo_password_on_a_demo_account_is_refused(db):
    seed_people()
    problem = demo_credentials_problem()
    assert problem and "the demo password is set on" in problem


def test_the_demo_backup_codes_are_refused_once_the_passwords_changed(db):
    seed_people()
    from accounts.models import User

    for user in User.objects.all():
        user.set_password("a-new-password-for-the-real-service")
        user.save()
    problem = demo_credentials_problem()
    assert problem and "backup codes" in problem


def test_real_accounts_pass(db):
    make_user(email="it.lead@trust.example.org")
    assert demo_credentials_problem() is None


def test_nobody_may_choose_the_demo_password():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="demo's published password"):
        DemoPasswordValidator().validate(DEMO_PASSWORD)
    DemoPasswordValidator().validate("another-long-password-2026")


def test_seed_demo_refuses_production(db, settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="never production"):
        call_command("seed_demo")
    from accounts.models import User

    assert not User.objects.exists()


_START_WEB = """
import sys
from django.conf import settings
settings.STATIC_ROOT = sys.argv[1]
# Fast hashing for the demo accounts made below; the check reads whichever hash is stored.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
if sys.argv[2] == "demo":
    from accounts.demo import seed_people
    seed_people()
import irtraining.wsgi
print("started")
"""


def _start_web(tmp_path, *, static_root, with_demo):
    env = {k: v for k, v in os.environ.items() if k not in _VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="irtraining.settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="a-production-grade-secret-key-for-the-start-up-" + "s" * 30,
        TEXT_COMMITMENT_KEY="a-production-text-commitment-key",
        SITE_URL="https://training.example.nhs.uk",
        DJANGO_ALLOWED_HOSTS="training.example.nhs.uk",
        EMAIL_URL="consolemail://",
        DATABASE_URL=f"sqlite:///{tmp_path / 'web.sqlite3'}",
    )
    return subprocess.run(
        [sys.executable, "-c", _START_WEB, str(static_root), "demo" if with_demo else "-"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.timeout(400)
def test_the_web_server_refuses_to_start_and_says_why(tmp_path):
    result = _start_web(tmp_path, static_root=tmp_path / "empty", with_demo=True)

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "Refusing to start in production" in result.stderr
    assert "static files were not collected" in result.stderr
    assert "the demo password is set on" in result.stderr
    # No seal or credential key configured: Django's system checks' errors stop the web too.
    assert "No document seal key is configured" in result.stderr
    assert "(documents.E001)" in result.stderr
    assert "No credential signing key is configured" in result.stderr
