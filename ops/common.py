"""Shared by ops/backup.py and ops/restore.py: start Django, and reach PostgreSQL's tools with the
app's own connection settings (passed in the environment, so no password is on a command line)."""

import os
import subprocess  # nosec B404  (runs pg_dump/pg_restore/manage.py with argument lists, no shell)
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def django_setup():
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irtraining.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Backups need PostgreSQL: set DATABASE_URL=postgres://... (as production does).")
    return connection


def libpq_environment(database: str | None = None) -> dict:
    """The environment pg_dump, pg_restore and psql read their connection from."""
    from django.db import connection

    params = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    env["PGDATABASE"] = database or params["NAME"]
    return env


def database_url(database: str) -> str:
    """DATABASE_URL with another database name: for manage.py run against the restored copy."""
    from urllib.parse import urlsplit, urlunsplit

    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path=f"/{database}"))


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, check=True, **kwargs)  # nosec B603  (fixed argument lists)
