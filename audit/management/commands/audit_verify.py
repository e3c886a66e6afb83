from django.core.management.base import BaseCommand, CommandError

from audit.integrity import integrity_problems
from audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain. Exits non-zero, naming the first broken event."

    def handle(self, *args, **options):
        result = audit_chain_verify()
        if not result.intact:
            where = f"event #{result.broken_sequence}"
            if result.broken_event_id is not None:
                where += f" (row id {result.broken_event_id})"
            raise CommandError(
                f"Audit log BROKEN at {where}: {result.reason}. "
                f"{result.events_checked} events before it are intact."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit log intact: {result.events_checked} events checked.")
        )
        problems = integrity_problems()
        if problems:
            raise CommandError(
                "Integrity failure in signed records:\n" + "\n".join(f"- {p}" for p in problems)
            )
        self.stdout.write(self.style.SUCCESS("Signed records intact."))
