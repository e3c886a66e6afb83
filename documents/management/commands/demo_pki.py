from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.demo_pki import DEMO_LABEL, demo_pki_ensure


class Command(BaseCommand):
    # It makes what the seal-key check would warn about.
    requires_system_checks = []
    help = (
        f"Create a local demo PKI ({DEMO_LABEL}) for development and tests: a root CA and its "
        "CRL, the programme's seal, optional per-organisation seals, a timestamp authority "
        "(PKCS#12 and PEM files) and the key that signs verifiable credentials (PEM). Only what "
        "is missing is made, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            help="folder to write into (default: DOCUMENT_SEAL_DEMO_PKI_DIR); keep it out "
            "of the repository",
        )
        parser.add_argument(
            "--passphrase",
            help="passphrase of the PKCS#12 files (default: DOCUMENT_SEAL_PASSPHRASE)",
        )
        parser.add_argument(
            "--organisation",
            type=int,
            action="append",
            default=[],
            dest="organisation_ids",
            metavar="ID",
            help="also a seal of this organisation's own (repeat for more)",
        )
        parser.add_argument(
            "--all-organisations",
            action="store_true",
            help="a seal for every organisation",
        )
        parser.add_argument("--force", action="store_true", help="make everything anew")

    def handle(
        self,
        *args,
        out=None,
        passphrase=None,
        organisation_ids=(),
        all_organisations=False,
        force=False,
        **options,
    ):
        if settings.IS_PRODUCTION:
            raise CommandError("The demo PKI is not for production: configure real seal keys.")
        folder = Path(out or settings.DOCUMENT_SEAL_DEMO_PKI_DIR)
        passphrase = passphrase or settings.DOCUMENT_SEAL_PASSPHRASE
        if not passphrase:
            raise CommandError("Give --passphrase (or set DOCUMENT_SEAL_PASSPHRASE).")
        written = demo_pki_ensure(
            folder,
            passphrase=passphrase,
            force=force,
            organisations=self._organisations(organisation_ids, all_organisations),
        )
        if written and options["verbosity"]:
            self.stdout.write(
                f"Demo PKI ({DEMO_LABEL}) in {folder}: wrote "
                + ", ".join(str(path.relative_to(folder)) for path in written)
            )

    @staticmethod
    def _organisations(ids, everyone) -> list[tuple[int, str]]:
        if not ids and not everyone:
            return []
        from accounts.models import Organisation

        rows = Organisation.objects.all() if everyone else Organisation.objects.filter(pk__in=ids)
        found = {row.pk: row.name for row in rows}
        missing = set(ids) - set(found)
        if missing:
            raise CommandError(f"No organisation with id {', '.join(map(str, sorted(missing)))}.")
        return sorted(found.items())
