"""What a browser receives from the production configuration: HSTS, the CSP, nosniff, a referrer
policy, framing refused, and cookies a script or another site cannot use.

Settings are read once at import, so the production configuration runs in its own interpreter
(tests/test_configuration.py checks the settings values; this checks the responses). That
interpreter uses a fresh SQLite file, migrated there, so a real sign-in sets the session cookie.
"""

import json
import os
import subprocess
import sys

import pytest

from ..test_configuration import _VARIABLES, ROOT

HOST = "training.example.nhs.uk"

_PROBE = """
import json, sys, django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
# The manifest storage needs collectstatic's output, which a build makes; headers do not depend on
# how static file names are hashed.
override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
call_command("migrate", verbosity=0)
from accounts.services import user_create
user_create(actor=None, email="probe@example.org", full_name="Dr Header Probe",
            password="a-long-enough-probe-password", gmc_number="")

def cookie(morsel):
    return {k: morsel[k] for k in ("secure", "httponly", "samesite", "path", "domain", "max-age")}

def headers(response):
    return {k.lower(): v for k, v in response.items()}

client = Client(HTTP_HOST=sys.argv[1])
plain = client.get("/account/login/")
page = client.get("/account/login/", secure=True)
login = client.post("/account/login/", {"username": "probe@example.org",
                                        "password": "a-long-enough-probe-password"}, secure=True)
home = client.get("/", secure=True)
# A load balancer's probe: plain HTTP, no X-Forwarded-Proto, the app's own address as Host.
probe = Client(HTTP_HOST="10.1.2.3:8000").get("/health/")
foreign_page = Client(HTTP_HOST="10.1.2.3:8000").get("/account/login/", secure=True)
print(json.dumps({
    "plain": {"status": plain.status_code, "location": plain.get("Location", "")},
    "page": {"status": page.status_code, "headers": headers(page),
             "cookies": {name: cookie(m) for name, m in page.cookies.items()}},
    "login": {"status": login.status_code,
              "cookies": {name: cookie(m) for name, m in login.cookies.items()}},
    "home": {"status": home.status_code, "headers": headers(home)},
    "probe": {"status": probe.status_code, "location": probe.get("Location", ""),
              "body": probe.json() if probe.status_code != 301 else None},
    "foreign_page": {"status": foreign_page.status_code},
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    database = tmp_path_factory.mktemp("production") / "probe.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in _VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="irtraining.settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="a-production-grade-secret-key-for-the-header-probe-" + "h" * 30,
        TEXT_COMMITMENT_KEY="a-production-text-commitment-key",
        SITE_URL=f"https://{HOST}",
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{database}",
        EMAIL_URL="consolemail://",
    )
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, HOST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plain_http_is_sent_to_https(production):
    assert production["plain"]["status"] == 301
    assert production["plain"]["location"] == f"https://{HOST}/account/login/"


@pytest.mark.parametrize("response", ["page", "home"])
def test_every_page_carries_the_security_headers(production, response):
    answered = production[response]
    assert answered["status"] == 200
    headers = answered["headers"]
    hsts = dict(
        (part.strip().split("=") + [""])[:2]
        for part in headers["strict-transport-security"].split(";")
    )
    # A year at least, subdomains too: a first visit over plain HTTP cannot be downgraded later.
    assert int(hsts["max-age"]) >= 31536000
    assert "includeSubDomains" in hsts
    csp = {
        d.split()[0]: d.split()[1:]
        for d in headers["content-security-policy"].split(";")
        if d.strip()
    }
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    # Nothing inline may run: an injected <script> or style attribute is refused by the browser.
    assert "'unsafe-inline'" not in csp["script-src"] + csp["style-src"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    # No page uses the camera, microphone, location or payment: no script may ask for them.
    policy = dict(part.strip().split("=", 1) for part in headers["permissions-policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", (feature, headers["permissions-policy"])


def test_signed_in_pages_are_never_stored_by_the_browser(production):
    # A shared ward PC: the next person must not find this one's pages in the browser's cache.
    assert production["home"]["status"] == 200
    directives = {d.strip() for d in production["home"]["headers"]["cache-control"].split(",")}
    assert "no-store" in directives


def test_the_health_probe_is_answered_over_plain_http_without_a_redirect(production):
    probe = production["probe"]
    assert probe["status"] == 200, probe
    assert probe["location"] == ""
    # E-mail printed to the log (consolemail://) serves, but an operator must know.
    assert probe["body"]["status"] == "degraded"
    assert probe["body"]["checks"]["email"]["status"] == "degraded"
    # Only the probe skips the host check: a page asked for by another host name is refused.
    assert production["foreign_page"]["status"] == 400


def test_the_csrf_cookie_is_secure_and_host_only(production):
    cookie = production["page"]["cookies"]["__Host-csrftoken"]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    # The __Host- prefix: the browser accepts it only over HTTPS, for this host, on path /.
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""
    # No script reads it: forms carry the token.
    assert cookie["httponly"] is True


def test_the_session_cookie_is_secure_httponly_samesite_and_short_lived(production):
    assert production["login"]["status"] == 302
    cookie = production["login"]["cookies"]["__Host-sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""
    # Expires at browser close (no max-age); the server side ends it after 30 idle minutes.
    assert cookie["max-age"] == ""
    # Signing in replaces the anonymous CSRF token, so a token planted before login is useless.
    assert "__Host-csrftoken" in production["login"]["cookies"]
