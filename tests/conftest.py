"""Shared fixtures, and the rule that under CI_REQUIRE_ALL=1 nothing may skip."""

import os
import shutil
from pathlib import Path

import hypothesis
import pytest
from django.db import connection
from django.urls import reverse
from django_otp import user_has_device

from accounts.services import backup_codes_set

from .factories import TEST_BACKUP_CODES, TEST_PASSWORD, OrganisationFactory, make_member
from .missing_tools import pytest_runtest_makereport  # noqa: F401  (hook: no poppler, a skip)
from .privacy_leak_check import _no_person_written_text_travels  # noqa: F401  (autouse fixture)
from .seal_pki import seal_pki  # noqa: F401  (autouse, session: every issued PDF is sealed)

REQUIRE_ALL = os.environ.get("CI_REQUIRE_ALL") == "1"

# Every property-based test (hypothesis) tries the same examples on every run of `make test`, so a
# red run is the code's doing and a rerun shows it again. `make fuzz` (FUZZ=1) explores instead:
# new random examples each run, FUZZ_FACTOR times as many in the fuzz folder, and failures kept in
# .hypothesis/ to be tried first next time. Each failure it finds becomes an @example.
EXPLORING = os.environ.get("FUZZ") == "1"
# No deadline in `make test`: a busy machine must not turn a run red (time is for benchmarks).
hypothesis.settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
hypothesis.settings.register_profile("explore", derandomize=False, print_blob=True)
hypothesis.settings.load_profile("explore" if EXPLORING else "repeatable")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)

_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if REQUIRE_ALL and _skipped:
        session.exitstatus = 1
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(
                f"CI_REQUIRE_ALL=1 but {len(_skipped)} test(s) skipped: {', '.join(_skipped[:10])}",
                red=True,
            )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request, settings):
    """Tasks run in the test's own process, even when REDIS_URL points at a real broker, unless
    the test is marked real_worker (it then starts a worker of its own)."""
    if request.node.get_closest_marker("real_worker") is None:
        settings.CELERY_TASK_ALWAYS_EAGER = True
        settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture(scope="module")
def audit_log_truncatable(django_db_setup, django_db_blocker):
    """On PostgreSQL, let a transactional test's database be emptied after each test.

    Transactional tests (live_server, threads) are cleaned with TRUNCATE, which the audit log's
    append-only trigger refuses. Only the TRUNCATE trigger is lifted, and only while the module
    runs (module scope: restored after its last flush). The UPDATE/DELETE guard stays on.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_truncate")
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_truncate")


@pytest.fixture
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("needs a real Redis: set REDIS_URL (as .ci/run does)")
    return url


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory()


@pytest.fixture
def member(db):
    """make_member, for tests: member(Role.SUPERVISOR, organisation)."""
    return make_member


def sign_in_with_password_only(client, user):
    """The login page alone: the password accepted, before any second factor is asked for."""
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302, response.content[:2000]
    return response


def sign_in(client, user, *, code_index=0):
    """Sign in through the real login and second-factor pages, as a person would."""
    sign_in_with_password_only(client, user)
    if user.memberships.exists() or user_has_device(user):
        backup_codes_set(actor=None, user=user, codes=TEST_BACKUP_CODES)
        response = client.post(
            reverse("accounts:two_factor_verify"), {"code": TEST_BACKUP_CODES[code_index]}
        )
        assert response.status_code == 302, response.content[:2000]
    return client
