import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.backup import document_file_problems, manifest_problems


class Command(BaseCommand):
    help = (
        "Check a restored database and media folder: every document's file has its recorded "
        "SHA-256, and (with --manifest) row counts and hashes match the backup's manifest. "
        "Exits non-zero, listing every difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--manifest", help="manifest.json of the backup that was restored")

    def handle(self, *args, manifest=None, **options):
        media_root = Path(settings.MEDIA_ROOT)
        if manifest:
            recorded = json.loads(Path(manifest).read_text())
            problems = manifest_problems(recorded, media_root)
            checked = f"{len(recorded['tables'])} tables and {len(recorded['documents'])} documents"
        else:
            problems = document_file_problems(media_root)
            checked = "every document's file"
        if problems:
            raise CommandError(
                "Restore verification FAILED:\n" + "\n".join(f"- {p}" for p in problems)
            )
        self.stdout.write(self.style.SUCCESS(f"Restore verified: {checked} match."))
