"""`manage.py grant_app_role` (docs/deploy.md, "Database roles"): the app role reads and writes
every table, appends to the audit log but never changes it, and cannot change the schema."""

import secrets
import subprocess  # nosec B404
import sys
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEvent
from audit.services import audit_event_record

from .test_backup_restore import admin

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_role(audit_log_truncatable):
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's: needs DATABASE_URL=postgres://...")
    role = f"irt_test_app_{secrets.token_hex(4)}"
    password = secrets.token_hex(16)
    admin(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    yield role, password
    admin(f"DROP OWNED BY {role}", database=connection.settings_dict["NAME"])
    admin(f"DROP ROLE {role}")


def _as(role, password):
    s = connection.settings_dict
    link = psycopg2.connect(
        dbname=s["NAME"], user=role, password=password, host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    )  # fmt: skip
    link.autocommit = True
    return link


def _refused(link, statement) -> bool:
    with link.cursor() as cursor:
        try:
            cursor.execute(statement)
        except psycopg2.errors.InsufficientPrivilege:
            return True
    return False


def test_the_app_role_writes_the_app_and_only_appends_to_the_audit_log(app_role):
    role, password = app_role
    audit_event_record(actor=None, verb="test.event", subject=None, summary="before the grants")
    link = _as(role, password)
    assert _refused(link, "SELECT count(*) FROM accounts_user")

    call_command("grant_app_role", role)

    assert not _refused(link, "SELECT count(*) FROM accounts_user")
    assert not _refused(link, "UPDATE accounts_user SET is_active = is_active")
    assert not _refused(link, "DELETE FROM django_session")
    assert not _refused(link, "SELECT count(*) FROM audit_auditevent")
    for statement in (
        "UPDATE audit_auditevent SET summary = summary",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "DELETE FROM audit_auditchainhead",
        "DELETE FROM django_migrations",
        "CREATE TABLE public.sneaky (id int)",
        "ALTER TABLE accounts_user ADD COLUMN sneaky int",
    ):
        assert _refused(link, statement), statement
    link.close()
    assert AuditEvent.objects.count() == 1


def test_the_app_role_runs_the_app(app_role, tmp_path):
    """A service's write as the app role: an audit event appended, the chain head moved."""
    role, password = app_role
    call_command("grant_app_role", role)
    s = connection.settings_dict
    url = f"postgres://{role}:{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    script = (
        "from accounts.services import user_create\n"
        "user_create(actor=None, email='app.role@example.org', full_name='Dr App Role', "
        "password=None)\n"
        "print('written')\n"
    )
    result = subprocess.run(  # nosec B603
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert AuditEvent.objects.filter(verb="account.created").count() == 1


def test_grants_refuse_a_role_that_does_not_exist(db):
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's: needs DATABASE_URL=postgres://...")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no database role"):
        call_command("grant_app_role", "no_such_role_anywhere")
