"""The backup drill (README, "Backups and restores"): `make backup`, then `make restore` into a
fresh database; the audit chain verifies, every document's file has its recorded hash, and every
table has the backup's row count. A tampered PDF, a missing row or a damaged backup fails it, and
a restore never overwrites a database that has tables."""

import os
import shutil
import subprocess  # nosec B404
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection

from agreements.criteria_defaults import default_template_ensure
from agreements.models import CriteriaTemplate, CriterionTemplate
from documents.models import GeneratedDocument
from governance.models import QualityStandard, QualityStandardSet
from governance.standards import default_standards_ensure

from ..agreements.conftest import build_world, draft, submit_and_sign_all
from ..caselogs.conftest import log_case
from ..factories import SiteFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parents[2]


def url_for(database: str) -> str:
    params = connection.settings_dict
    credentials = quote(params["USER"] or "", safe="")
    if params.get("PASSWORD"):
        credentials += ":" + quote(params["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
        f"/{database}"
    )


def admin(statement: str, database="postgres", params=()):
    settings_dict = connection.settings_dict
    link = psycopg2.connect(
        dbname=database,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
    )
    link.autocommit = True
    try:
        with link.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        link.close()


@pytest.fixture
def seeded(audit_log_truncatable, settings):
    """Committed data (the backup runs in another process): an active agreement with its signed
    PDF rendered, and a logged case."""
    if connection.vendor != "postgresql":
        pytest.skip("backups are pg_dump archives: needs DATABASE_URL=postgres://...")
    world = build_world()
    version, _ = submit_and_sign_all(world, draft(world))  # the PDF renders on commit (in process)
    world.version = version
    world.site = SiteFactory(organisation=world.centre, name="Southbank Royal Infirmary")
    log_case(world)
    documents = GeneratedDocument.objects.filter(status=GeneratedDocument.Status.READY)
    assert documents.exists(), "the agreement PDF should have been rendered"
    yield world
    # The flush after a transactional test empties the data the migrations seeded.
    default_standards_ensure(QualityStandardSet, QualityStandard)
    default_template_ensure(CriteriaTemplate, CriterionTemplate)


@pytest.fixture
def drill(seeded, settings, tmp_path):
    restored = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    env = dict(
        os.environ,
        DATABASE_URL=url_for(connection.settings_dict["NAME"]),
        PRIVATE_MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    yield {
        "env": env,
        "database": restored,
        "backups": tmp_path / "backups",
        "media": tmp_path / "restored-media",
        "restored_env": dict(
            env, DATABASE_URL=url_for(restored), PRIVATE_MEDIA_ROOT=str(tmp_path / "restored-media")
        ),
    }
    admin(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')


def make(target, drill, **variables):
    # -o: never reinstall the virtualenv from inside a test.
    command = [
        "make",
        "--no-print-directory",
        "-o",
        ".venv/.installed",
        target,
        f"BACKUP_DIR={drill['backups']}",
        *(f"{name}={value}" for name, value in variables.items()),
    ]
    return subprocess.run(
        command, cwd=PROJECT, env=drill["env"], capture_output=True, text=True, timeout=240
    )  # nosec B603


def verify(drill, manifest):
    return subprocess.run(  # nosec B603
        [
            str(PROJECT / ".venv" / "bin" / "python"),
            "manage.py",
            "verify_restore",
            f"--manifest={manifest}",
        ],
        cwd=PROJECT,
        env=drill["restored_env"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_and_restore_into_a_fresh_database(drill):
    backup = make("backup", drill)
    assert backup.returncode == 0, backup.stdout + backup.stderr
    [folder] = drill["backups"].glob("irtraining-*")
    assert {p.name for p in folder.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}

    restore = make(
        "restore", drill, RESTORE_DB=drill["database"], RESTORE_MEDIA_ROOT=drill["media"]
    )

    output = restore.stdout + restore.stderr
    assert restore.returncode == 0, output
    assert "Audit log intact" in output and "Signed records intact" in output
    assert "Restore verified" in output
    restored_docs = admin(
        "SELECT count(*) FROM documents_generateddocument WHERE status = 'ready'",
        database=drill["database"],
    )[0][0]
    assert restored_docs == GeneratedDocument.objects.filter(status="ready").count() >= 1

    # A second restore into the same, now full, database is refused.
    again = make("restore", drill, RESTORE_DB=drill["database"], RESTORE_MEDIA_ROOT=drill["media"])
    assert again.returncode != 0
    assert "already has tables" in again.stdout + again.stderr


def test_a_tampered_pdf_or_a_missing_row_fails_the_verification(drill):
    assert make("backup", drill).returncode == 0
    [folder] = drill["backups"].glob("irtraining-*")
    manifest = folder / "manifest.json"
    restore = make(
        "restore", drill, RESTORE_DB=drill["database"], RESTORE_MEDIA_ROOT=drill["media"]
    )
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert verify(drill, manifest).returncode == 0

    pdf = next(drill["media"].rglob("*.pdf"))
    original = pdf.read_bytes()
    pdf.write_bytes(original.replace(b"%%EOF", b"%%EOF\n% altered", 1))
    tampered = verify(drill, manifest)
    assert tampered.returncode != 0
    assert "does not match its recorded SHA-256" in tampered.stderr
    pdf.write_bytes(original)
    assert verify(drill, manifest).returncode == 0

    table = "caselogs_historicalcase"
    admin(
        f"DELETE FROM {table} WHERE history_id = (SELECT min(history_id) FROM {table})",  # nosec B608
        database=drill["database"],
    )
    missing = verify(drill, manifest)
    assert missing.returncode != 0
    assert f"table {table}:" in missing.stderr


def test_a_damaged_backup_is_refused_before_anything_is_restored(drill):
    assert make("backup", drill).returncode == 0
    [folder] = drill["backups"].glob("irtraining-*")
    damaged = drill["backups"] / "damaged"
    shutil.copytree(folder, damaged)
    with open(damaged / "database.dump", "r+b") as dump:
        dump.seek(100)
        dump.write(b"\x00\x01\x02")

    restore = make(
        "restore",
        drill,
        RESTORE_DB=drill["database"],
        BACKUP=damaged,
        RESTORE_MEDIA_ROOT=drill["media"],
    )

    assert restore.returncode != 0
    assert "damaged" in restore.stdout + restore.stderr
    assert not admin("SELECT 1 FROM pg_database WHERE datname = %s", params=[drill["database"]])


def test_the_image_commands_back_up_privately_and_restore_outside_the_checkout(drill, tmp_path):
    """What the production image runs (docs/deploy.md, "Backups"): no make, the scripts directly;
    the files owner-only; the restored PDFs in ~/irtraining-restores/<database> by default."""
    home = tmp_path / "home"
    home.mkdir()
    env = dict(drill["env"], HOME=str(home))
    python = str(PROJECT / ".venv" / "bin" / "python")

    def run(*command):
        return subprocess.run(  # nosec B603
            [python, *command], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=240
        )

    backup = run("ops/backup.py", f"--dir={drill['backups']}")
    assert backup.returncode == 0, backup.stdout + backup.stderr
    [folder] = drill["backups"].glob("irtraining-*")
    assert folder.stat().st_mode & 0o777 == 0o700
    for name in ("database.dump", "media.tar.gz", "manifest.json"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600, name

    restore = run("ops/restore.py", f"--dir={drill['backups']}", f"--database={drill['database']}")
    output = restore.stdout + restore.stderr
    assert restore.returncode == 0, output
    media = home / "irtraining-restores" / drill["database"]
    assert f"media in {media}" in output
    assert PROJECT.resolve() not in media.resolve().parents
    assert next(media.rglob("*.pdf")).stat().st_mode & 0o777 == 0o600
