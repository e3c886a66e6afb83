"""Configuration comes from the environment, in one place (irtraining/settings.py).

Each case runs in a fresh interpreter, since settings are read once at import."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "secure_cookie": settings.SESSION_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "csp": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-ancestors"],
}))
"""

_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ENV",
    "DJANGO_SECRET_KEY",
    "TEXT_COMMITMENT_KEY",
    "EMAIL_URL",
    "SITE_URL",
    # Set by the browser tests for Playwright; it would fail the deploy check (async.E001).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _run(code, **environment):
    env = {k: v for k, v in os.environ.items() if k not in _VARIABLES}
    env.update(environment, DJANGO_SETTINGS_MODULE="irtraining.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def _settings(**environment):
    result = _run(_PRINT_SETTINGS, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_nothing_set_everything_is_embedded():
    s = _settings()
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(ROOT / "db.sqlite3")
    assert s["eager"] is True
    assert s["cache"].endswith("LocMemCache")
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["debug"] is True
    assert s["csp"] == ["'none'"]


def test_database_url_switches_to_postgresql():
    s = _settings(DATABASE_URL="postgres://app@db.internal:5432/irtraining")
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "irtraining"


def test_redis_url_switches_celery_and_cache_to_redis():
    s = _settings(REDIS_URL="redis://cache.internal:6379/2")
    assert s["eager"] is False
    assert s["broker"] == "redis://cache.internal:6379/2"
    assert s["cache"].endswith("RedisCache")


def test_production_requires_a_secret_key():
    result = _run(
        _PRINT_SETTINGS,
        DJANGO_ENV="production",
        SITE_URL="https://example.org",
        TEXT_COMMITMENT_KEY="k" * 40,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_requires_the_public_address_printed_on_documents():
    result = _run(
        _PRINT_SETTINGS,
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 60,
        TEXT_COMMITMENT_KEY="k" * 40,
    )
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_requires_the_key_free_text_is_committed_under():
    result = _run(
        _PRINT_SETTINGS,
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 60,
        SITE_URL="https://example.org",
    )
    assert result.returncode != 0
    assert "TEXT_COMMITMENT_KEY" in result.stderr


# What production needs, for the tests below to take one thing away or change it.
_PRODUCTION = dict(
    DJANGO_ENV="production",
    DJANGO_SECRET_KEY="x" * 60,
    SITE_URL="https://training.example.org",
    TEXT_COMMITMENT_KEY="k" * 40,
    EMAIL_URL="smtp+tls://relay.example.org:587",
)


def _production_refusal(**changes):
    environment = {**_PRODUCTION, **changes}
    result = _run(_PRINT_SETTINGS, **{k: v for k, v in environment.items() if v is not None})
    assert result.returncode != 0, result.stdout
    assert "Refusing to start in production" in result.stderr
    return result.stderr


def test_production_refuses_a_site_url_that_is_not_https():
    stderr = _production_refusal(SITE_URL="http://training.example.org")
    assert "SITE_URL must be the public https:// address" in stderr


def test_production_refuses_to_start_without_email_url():
    stderr = _production_refusal(EMAIL_URL=None)
    assert "EMAIL_URL is not set" in stderr


def test_production_refuses_an_email_url_that_drops_every_e_mail():
    stderr = _production_refusal(EMAIL_URL="dummymail://")
    assert "drops every e-mail" in stderr


@pytest.mark.parametrize("url", ["consolemail://", "filemail:///var/log/irtraining-mail"])
def test_production_accepts_e_mail_kept_in_the_log_on_purpose(url):
    s = _settings(**{**_PRODUCTION, "EMAIL_URL": url})
    assert s["email"].rsplit(".", 2)[-2] in ("console", "filebased")


def test_production_says_every_refusal_at_once():
    stderr = _production_refusal(SITE_URL="http://training.example.org", EMAIL_URL=None)
    assert "SITE_URL" in stderr and "EMAIL_URL" in stderr


def test_production_turns_on_the_safety_settings():
    s = _settings(**_PRODUCTION)
    assert s["debug"] is False
    assert s["secure_cookie"] is True
    assert s["hsts"] >= 31536000


# A complete production configuration for `check --deploy` (paths only for the keys: the check
# refuses production without them, documents/checks.py).
_PRODUCTION_CHECK = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "a-production-grade-secret-key-for-the-check-" + "k" * 30,
    "TEXT_COMMITMENT_KEY": "a-production-text-commitment-key",
    "SITE_URL": "https://training.example.nhs.uk",
    "DJANGO_ALLOWED_HOSTS": "training.example.nhs.uk",
    "EMAIL_URL": "smtp+tls://relay.example.nhs.uk:587",
    "DOCUMENT_SEAL_PKCS12": "/etc/irtraining/seal-keys/seal.p12",
    "CREDENTIAL_SIGNING_KEY": "/etc/irtraining/credential-keys/credential-key.pem",
    # An organisation's accession-number key (without one, reconciliation.W001 warns).
    "RECONCILIATION_KEYS": "1=" + "ab" * 32,
}


def _deploy_check(**overrides: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _VARIABLES}
    env.update(_PRODUCTION_CHECK)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.timeout(120)
def test_deploy_check_passes_under_production_settings():
    result = _deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.timeout(120)
def test_the_deploy_check_warns_when_no_organisation_has_an_accession_key():
    result = _deploy_check(RECONCILIATION_KEYS=None)
    assert result.returncode != 0
    assert "reconciliation.W001" in result.stderr + result.stdout


def test_the_sweeper_may_not_take_a_render_that_is_still_running():
    # A threshold inside the render's time limit would queue again documents still rendering.
    result = _run(
        _PRINT_SETTINGS,
        DOCUMENTS_RENDER_TIME_LIMIT_SECONDS="60",
        DOCUMENTS_SWEEP_AFTER_SECONDS="45",
    )
    assert result.returncode != 0
    assert "DOCUMENTS_SWEEP_AFTER_SECONDS must be longer than" in result.stderr


def test_a_dead_worker_s_document_is_made_within_two_minutes_by_default():
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DOCUMENTS_SWEEP_AFTER_SECONDS, settings.DOCUMENTS_SWEEP_INTERVAL_SECONDS, "
        "settings.DOCUMENTS_RENDER_TIME_LIMIT_SECONDS, "
        "settings.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])"
    )
    result = _run(code)
    after, interval, render, visibility = map(int, result.stdout.split()[-4:])
    assert after > render
    # Queued again at most after + interval after the render started: within two minutes with
    # room for the render itself (tests/faults/test_worker_killed.py measures the whole).
    assert after + interval <= 110
    # The broker's own redelivery must not run a retry waiting out its delay twice.
    assert visibility > 15 * 60 + render
