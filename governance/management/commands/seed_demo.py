"""Demo data for a newcomer. Each app seeds its own part; this command, in the top app, calls them
in dependency order. Idempotent."""

from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from accounts.demo import DEMO_BACKUP_CODES, DEMO_PASSWORD, reset_demo_backup_codes, seed_people
from agreements.demo import seed_agreements
from caselogs.demo import seed_logbook
from phases.demo import seed_phases
from reconciliation.demo import seed_reconciliation

CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"
FILE_EMAIL = "django.core.mail.backends.filebased.EmailBackend"


@contextmanager
def demo_mail_kept_in_files():
    """Yield the folder the demo's e-mails are written to, or None when they go where e-mail is
    configured to go. Only the console backend is redirected: it would print every message (some
    300 lines of MIME) ahead of the sign-in table. The folder holds this run's e-mails only."""
    if settings.EMAIL_BACKEND != CONSOLE_EMAIL:
        yield None
        return
    folder = Path(settings.DEMO_MAIL_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.log"):
        old.unlink()
    with override_settings(EMAIL_BACKEND=FILE_EMAIL, EMAIL_FILE_PATH=str(folder)):
        yield folder


class Command(BaseCommand):
    help = "Create (or top up) the demo organisations, people and training agreements."

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            # Its accounts share one published password and backup codes, and its sign-offs
            # e-mail demo addresses: the web server refuses to start with them in the database.
            raise CommandError(
                "seed_demo is for development and demonstrations, never production: its accounts "
                "share a published password. Make the first administrator with "
                "`python manage.py create_admin` (docs/deploy.md)."
            )
        with demo_mail_kept_in_files() as mail_folder:
            people = seed_people()
            agreements = seed_agreements()
            cases = seed_logbook()
            seed_phases()
            reconciled = seed_reconciliation()
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
        if reconciled:
            self.stdout.write(
                "Reconciliation: Riverside's procedure list for the last six months matched "
                f"{reconciled['matched']} cases on the accession number, "
                f"{reconciled['probable']} probable, {reconciled['not_on_list']} not on the "
                f"list; {reconciled['not_logged']} entries naming a trainee are not logged. "
                f"Last quarter's audit sample: {reconciled.get('sampled', 0)} cases."
            )
        self.stdout.write("Who signs each step of the demo chains: README.md, 'Demo sign-ins'.")
        if mail_folder is not None:
            sent = sum(path.read_text().count("\nSubject: ") for path in mail_folder.glob("*.log"))
            self.stdout.write(
                f"The demo's {sent} e-mails were written to {_shown(mail_folder)}/, not sent "
                "(one file per batch); e-mails from the running app are printed here."
            )


def _shown(folder: Path) -> str:
    try:
        return str(folder.relative_to(Path.cwd()))
    except ValueError:
        return str(folder)
