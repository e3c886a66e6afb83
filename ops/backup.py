"""Back up the database and the private media folder, with a manifest.

    make backup [BACKUP_DIR=backups]

Writes BACKUP_DIR/irtraining-<UTC time>/ with database.dump (pg_dump, custom format),
media.tar.gz (the private media folder: the issued PDFs) and manifest.json (row counts of every
table, every document's SHA-256, and the SHA-256 of the two files). The folder appears only once
complete, so a half-made backup is never taken for the newest.

Everything it writes is readable by its owner only (files 0600, folders 0700): the dump holds
password hashes and two-factor secrets. In the production image (no make, /app read-only) run
`python ops/backup.py --dir /backups` with a writable folder (docs/deploy.md, "Backups").

The row counts and hashes are read in the same snapshot pg_dump dumps (an exported REPEATABLE
READ snapshot), so they describe the dump exactly even while the app keeps writing. The backup
also checks every document's file against its hash before it is called good: a backup of a
damaged PDF is known at once, not at restore.
"""

import argparse
import json
import os
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROJECT, django_setup, libpq_environment, run  # noqa: E402  (after sys.path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=os.environ.get("BACKUP_DIR") or "backups")
    args = parser.parse_args(argv)
    # Before anything is written, pg_dump included (it inherits it): owner-only files and folders.
    os.umask(0o077)

    connection = django_setup()
    from django.conf import settings
    from django.db import transaction

    from documents.backup import (
        MANIFEST_VERSION,
        document_file_problems,
        document_hashes,
        file_sha256,
        table_row_counts,
    )

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    root = Path(args.dir) if Path(args.dir).is_absolute() else PROJECT / args.dir
    final = root / f"irtraining-{stamp}"
    partial = root / f".irtraining-{stamp}.partial"
    partial.mkdir(parents=True)
    media_root = Path(settings.MEDIA_ROOT)

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
        run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={partial / 'database.dump'}",
            ],
            env=libpq_environment(),
        )
        tables = table_row_counts()
        documents = document_hashes()
        problems = document_file_problems(media_root)

    if problems:
        print("Backup refused: the documents do not match their recorded hashes:", file=sys.stderr)
        print("\n".join(f"- {p}" for p in problems), file=sys.stderr)
        return 1

    with tarfile.open(partial / "media.tar.gz", "w:gz") as archive:
        if media_root.is_dir():
            archive.add(media_root, arcname="media")
    manifest = {
        "version": MANIFEST_VERSION,
        "created_at": stamp,
        "database": connection.settings_dict["NAME"],
        "server_version": server_version,
        "tables": tables,
        "documents": documents,
        "files": {name: file_sha256(partial / name) for name in ("database.dump", "media.tar.gz")},
    }
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    partial.rename(final)
    print(
        f"Backup complete: {final} ({sum(tables.values())} rows in {len(tables)} tables, "
        f"{len(documents)} documents)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
