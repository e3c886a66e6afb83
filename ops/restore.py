"""Restore a backup into a fresh database and media folder, then prove it is whole.

    make restore RESTORE_DB=irtraining_restored [BACKUP=backups/irtraining-...]
                 [RESTORE_MEDIA_ROOT=...] [FORCE=1]

Takes the newest backup in BACKUP_DIR unless BACKUP names one. Checks the backup's files against
its manifest, creates RESTORE_DB on the server DATABASE_URL points at (refusing a database that
already has tables, and a media folder that already has files, unless FORCE=1), restores with
pg_restore, unpacks the PDFs into RESTORE_MEDIA_ROOT (default: ~/irtraining-restores/RESTORE_DB,
outside the checkout, so restored PDFs are never mixed with the code), and then runs, against the
restored copy:

- ``manage.py audit_verify``: the audit log's hash chain and the signed records are intact;
- ``manage.py verify_restore --manifest``: every table has the backup's row count, and every
  document's file has the SHA-256 its row records, which is the backup's.

Exits non-zero if any step or check fails. Ownership and grants are not restored (the restoring
role owns everything): run `manage.py grant_app_role` against the copy (docs/deploy.md).
"""

import argparse
import json
import os
import shutil
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT, database_url, django_setup, libpq_environment, run  # noqa: E402  (after sys.path)

# Where restored PDFs go unless RESTORE_MEDIA_ROOT says: outside the checkout (issue 18).
RESTORES = Path("~/irtraining-restores")


def newest_backup(folder: Path) -> Path:
    backups = sorted(p for p in folder.glob("irtraining-*") if (p / "manifest.json").is_file())
    if not backups:
        sys.exit(f"No backup in {folder}: run `make backup` first, or give BACKUP=...")
    return backups[-1]


def database_has_tables(name: str) -> bool | None:
    """None if the database does not exist; otherwise whether it has any table."""
    from psycopg2 import connect

    env = libpq_environment("postgres")
    with (
        connect(
            dbname="postgres",
            host=env.get("PGHOST"),
            port=env.get("PGPORT"),
            user=env.get("PGUSER"),
            password=env.get("PGPASSWORD"),
        ) as admin,
        admin.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            return None
    with (
        connect(
            dbname=name,
            host=env.get("PGHOST"),
            port=env.get("PGPORT"),
            user=env.get("PGUSER"),
            password=env.get("PGPASSWORD"),
        ) as target,
        target.cursor() as cursor,
    ):
        cursor.execute("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0] > 0


def admin_sql(statement: str) -> None:
    # psql, so CREATE/DROP DATABASE run outside a transaction block.
    run(
        ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--command={statement}"],
        env=libpq_environment("postgres"),
    )


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=os.environ.get("BACKUP_DIR") or "backups")
    parser.add_argument("--backup", default=os.environ.get("BACKUP") or "")
    parser.add_argument("--database", default=os.environ.get("RESTORE_DB") or "")
    parser.add_argument("--media-root", default=os.environ.get("RESTORE_MEDIA_ROOT") or "")
    parser.add_argument("--force", action="store_true", default=os.environ.get("FORCE") == "1")
    args = parser.parse_args(argv)
    if not args.database:
        sys.exit("Name the database to restore into: make restore RESTORE_DB=<new database name>")
    # The restored PDFs and folders are the owner's only, like the live ones.
    os.umask(0o077)

    connection = django_setup()
    folder = Path(args.dir) if Path(args.dir).is_absolute() else PROJECT / args.dir
    backup = Path(args.backup) if args.backup else newest_backup(folder)
    manifest = json.loads((backup / "manifest.json").read_text())
    from documents.backup import file_sha256

    for name, digest in manifest["files"].items():
        if file_sha256(backup / name) != digest:
            sys.exit(f"{backup / name} does not match the manifest: this backup is damaged.")
    print(f"Restoring {backup} into database {args.database}")

    if args.database == connection.settings_dict["NAME"] and not args.force:
        sys.exit(f"{args.database} is the database DATABASE_URL uses: restore into a new one.")
    has_tables = database_has_tables(args.database)
    if has_tables and not args.force:
        sys.exit(
            f"Database {args.database} already has tables: choose a new name, or FORCE=1 "
            "to replace it."
        )
    connection.close()
    if has_tables is not None and args.force:
        admin_sql(f"DROP DATABASE {quoted(args.database)} WITH (FORCE)")
        has_tables = None
    if has_tables is None:
        admin_sql(f"CREATE DATABASE {quoted(args.database)}")
    run(
        [
            "pg_restore",
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={args.database}",
            str(backup / "database.dump"),
        ],
        env=libpq_environment(args.database),
    )

    media_root = Path(args.media_root or RESTORES / args.database).expanduser().resolve()
    if media_root.exists() and any(media_root.iterdir()):
        if not args.force:
            sys.exit(f"{media_root} already has files: choose an empty folder, or FORCE=1.")
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup / "media.tar.gz") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("media/")]
        for member in members:
            member.name = member.name[len("media/") :]
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        archive.extractall(media_root, members=members, filter="data")

    env = dict(
        os.environ, DATABASE_URL=database_url(args.database), PRIVATE_MEDIA_ROOT=str(media_root)
    )
    manage = [sys.executable, str(PROJECT / "manage.py")]
    run([*manage, "audit_verify"], env=env)
    run([*manage, "verify_restore", f"--manifest={backup / 'manifest.json'}"], env=env)
    print(f"Restore verified: database {args.database}, media in {media_root}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # a failed step: say which, exit non-zero
        import subprocess  # nosec B404

        if isinstance(error, subprocess.CalledProcessError):
            sys.exit(f"Restore FAILED at: {' '.join(map(str, error.cmd))}")
        raise
