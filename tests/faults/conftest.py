"""Fixtures of the fault tests: a private Redis, the app's processes on it, the test database."""

import pytest
from django.db import connection

from ops.smoke_support import free_port

from .services import (
    REDIS_SERVER,
    PrivateRedis,
    Processes,
    app_environment,
    database_url_of,
    log_tail,
)

needs_shared_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the app's processes need a database they share with the test: set DATABASE_URL",
)
needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None, reason="needs the redis-server binary (CI installs it)"
)


@pytest.fixture
def parent_tasks_in_process(settings):
    """The test process's own service calls (building the world) run their tasks in-process.

    Only the processes the test starts use its private broker; the test process must not publish
    onto the machine's Redis, which other people's runs share.
    """
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private-media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def app_env(
    transactional_db, audit_log_truncatable, private_redis, media_root, parent_tasks_in_process
):
    """Environment of the app's processes: the pytest test database, the private Redis."""
    return app_environment(
        database_url=database_url_of(connection.settings_dict),
        redis_url=private_redis.url(),
        media_root=media_root,
    )


@pytest.fixture
def processes(request, tmp_path, transactional_db):
    """Started processes; all stopped before the test database is emptied, logs shown on failure."""
    started = Processes(tmp_path / "logs")
    yield started
    started.stop_all()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for name, _ in started.started:
            print(f"\n----- {name} log -----\n{log_tail(started.log(name), 40)}")


@pytest.fixture
def web_port():
    return free_port()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
