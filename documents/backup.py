"""What a backup records, and what a restore is checked against (ops/backup.py, ops/restore.py,
``manage.py verify_restore``).

A backup is the database (pg_dump) and the private media folder (the issued PDFs), with a
manifest: the row count of every table, and every document's stored SHA-256. A restore is good
when the restored database has the same row counts, every document's file is there with the hash
its row records (the hash printed on the verification page), and those hashes are the manifest's.
The audit log's own chain is checked by ``audit_verify``.

Only PostgreSQL: the backups are pg_dump archives.
"""

import hashlib
from pathlib import Path

from django.db import connection

from .models import GeneratedDocument

MANIFEST_VERSION = 1


def table_row_counts() -> dict[str, int]:
    """Exact row counts of every table in the public schema, Django's own tables included."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' "
            "ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            # Names come from the catalogue, quoted by the driver's identifier rules.
            cursor.execute(f'SELECT count(*) FROM "{table.replace(chr(34), chr(34) * 2)}"')  # nosec B608
            counts[table] = cursor.fetchone()[0]
    return counts


def document_hashes() -> dict[str, dict]:
    """Every document that has a file: its file name and recorded SHA-256, by id."""
    rows = GeneratedDocument.objects.exclude(file="").order_by("pk")
    return {
        str(doc.pk): {"file": doc.file.name, "sha256": doc.sha256, "status": doc.status}
        for doc in rows
    }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def document_file_problems(media_root: Path) -> list[str]:
    """Each document whose file is missing or does not have the hash its row records."""
    problems = []
    for pk, doc in document_hashes().items():
        path = Path(media_root) / doc["file"]
        if not path.is_file():
            problems.append(f"document {pk}: file {doc['file']} is missing")
        elif doc["sha256"] and file_sha256(path) != doc["sha256"]:
            problems.append(f"document {pk}: {doc['file']} does not match its recorded SHA-256")
    return problems


def manifest_problems(manifest: dict, media_root: Path) -> list[str]:
    """Everything about this database and media folder that differs from the manifest."""
    problems = []
    expected, actual = manifest["tables"], table_row_counts()
    for table in sorted(set(expected) | set(actual)):
        if expected.get(table) != actual.get(table):
            problems.append(
                f"table {table}: {actual.get(table, 'missing')} rows, the backup had "
                f"{expected.get(table, 'no such table')}"
            )
    recorded = document_hashes()
    for pk, doc in manifest["documents"].items():
        if pk not in recorded:
            problems.append(f"document {pk}: in the backup, not in this database")
        elif recorded[pk]["sha256"] != doc["sha256"]:
            problems.append(f"document {pk}: its recorded SHA-256 differs from the backup's")
    problems += document_file_problems(media_root)
    return problems
