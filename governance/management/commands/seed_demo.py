"""Demo data for a newcomer. Each app seeds its own part; this command, in the top app, calls them
in dependency order. Idempotent."""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_BACKUP_CODES, DEMO_PASSWORD, seed_people


class Command(BaseCommand):
    help = "Create (or top up) the demo organisations and one person per role."

    def handle(self, *args, **options):
        people = seed_people()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /account/login/ as:"))
        width = max(len(p.email) for p in people)
        for person in people:
            self.stdout.write(f"  {person.email.ljust(width)}  {person.role.label}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write(
            "Second factor (every role except trainee): any backup code from "
            f"{DEMO_BACKUP_CODES[0]} to {DEMO_BACKUP_CODES[-1]}; each works once and "
            "seed_demo restores them."
        )
