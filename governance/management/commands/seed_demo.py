"""Demo data for a newcomer. Each app seeds its own part; this command, in the top app, calls them
in dependency order. Idempotent."""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_BACKUP_CODES, DEMO_PASSWORD, reset_demo_backup_codes, seed_people
from agreements.demo import seed_agreements
from caselogs.demo import seed_logbook
from phases.demo import seed_phases


class Command(BaseCommand):
    help = "Create (or top up) the demo organisations, people and training agreements."

    def handle(self, *args, **options):
        people = seed_people()
        agreements = seed_agreements()
        cases = seed_logbook()
        seed_phases()
        reset_demo_backup_codes()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /account/login/ as:"))
        width = max(len(p.email) for p in people)
        for person in people:
            self.stdout.write(f"  {person.email.ljust(width)}  {person.role.label}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write(
            "Second factor: any backup code from "
            f"{DEMO_BACKUP_CODES[0]} to {DEMO_BACKUP_CODES[-1]}; each works once and "
            "seed_demo restores them."
        )
        self.stdout.write(
            f"{len(agreements)} demo training agreements: active, awaiting signatures (sign as the "
            "training lead, a clinical director or a medical director), draft, and amended."
        )
        self.stdout.write(f"Dr Alex Morgan's logbook holds {cases} pseudonymous cases.")
        self.stdout.write(
            "Phases: Dr Alex Morgan is in phase 2; Dr Chris Evans has met every criterion for "
            "independence (request it as the lead supervisor, then sign the chain); Dr Dana "
            "Whitaker has completed training and holds a completion certificate."
        )
