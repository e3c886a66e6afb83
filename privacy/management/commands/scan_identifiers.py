"""`manage.py scan_identifiers`: exits 1, naming table, column and row, if any stored text holds
something shaped like a patient identifier. Run it nightly beside `audit_verify` (README)."""

from django.core.management.base import BaseCommand

from privacy.scan import stored_identifiers


class Command(BaseCommand):
    help = "Scan every text column of every table for patient identifiers (values never printed)."

    def handle(self, *args, **options):
        found = 0
        for hit in stored_identifiers():
            found += 1
            self.stdout.write(f"{hit.table}\t{hit.column}\trow {hit.row_id}\t{hit.kind}")
        if found:
            self.stderr.write(
                f"{found} stored text(s) look like patient identifiers. Redact each one "
                "(Administration -> Redactions -> Add redaction), then scan again."
            )
            raise SystemExit(1)
        self.stdout.write("No patient identifiers found in any text column.")
