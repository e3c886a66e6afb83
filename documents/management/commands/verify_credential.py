"""``manage.py verify_credential FILE``: check a credential offline, as the check page does."""

import hashlib
import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.credential_check import (
    CredentialShapeError,
    StatusSource,
    credential_check,
    jwt_parts,
)
from documents.credential_keys import CredentialKeyError, credential_verification_keys

FETCH_TIMEOUT_SECONDS = 5


def _cache_path(url: str) -> Path:
    name = hashlib.sha256(url.encode()).hexdigest()[:32]
    return Path(settings.CREDENTIAL_STATUS_CACHE_DIR) / f"{name}.json"


def status_list_cache_write(url: str, token: str, fetched_at: datetime) -> None:
    path = _cache_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": url, "fetched_at": fetched_at.isoformat(), "jwt": token}))


def status_list_cache_read(url: str) -> StatusSource | None:
    try:
        cached = json.loads(_cache_path(url).read_text())
        fetched_at = datetime.fromisoformat(cached["fetched_at"])
        token = str(cached["jwt"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return StatusSource(
        token=token, description="the status list cached on this machine", fetched_at=fetched_at
    )


class Command(BaseCommand):
    help = (
        "Check a verifiable credential (.jwt) as the public check page does: its signature against "
        "this site's keys (CREDENTIAL_SIGNING_KEY and CREDENTIAL_RETIRED_PUBLIC_KEYS), its issuer "
        "and its status. The status list is fetched and cached; with --offline, or when it cannot "
        "be fetched, the cached copy answers and its age is printed. Exits non-zero unless valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the credential (.jwt) to check")
        parser.add_argument(
            "--offline",
            action="store_true",
            help="do not fetch the status list; use the cached copy",
        )
        parser.add_argument(
            "--status-list",
            metavar="FILE",
            help="use this status list (.jwt) instead of fetching one",
        )

    def handle(self, *args, file, offline=False, status_list=None, **options):
        try:
            token = Path(file).read_text(encoding="ascii").strip()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not a credential: it is not text.") from None
        try:
            jwt_parts(token)
            keys = credential_verification_keys()
        except (CredentialShapeError, CredentialKeyError) as error:
            raise CommandError(f"{file}: {error}") from error
        if not keys:
            raise CommandError("No credential keys are configured to check against.")

        def resolve(url: str) -> StatusSource | None:
            if status_list:
                return StatusSource(
                    token=Path(status_list).read_text().strip(),
                    description=f"the status list in {status_list}",
                    fetched_at=datetime.fromtimestamp(Path(status_list).stat().st_mtime, UTC),
                )
            if not offline:
                fetched = self._fetch(url)
                if fetched is not None:
                    return fetched
            cached = status_list_cache_read(url)
            if cached is None:
                self.stdout.write("  No cached status list for this issuer on this machine.")
            return cached

        check = credential_check(token, resolve=resolve, keys=keys)
        for good, sentence in check.findings():
            self.stdout.write(f"  [{'ok' if good else 'NO'}] {sentence}")
        if not check.ok:
            raise CommandError(f"{file} is NOT a valid credential.")
        self.stdout.write(self.style.SUCCESS(f"{file} is a valid credential."))

    def _fetch(self, url: str) -> StatusSource | None:
        if not url.startswith(("https://", "http://")):
            return None
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310  (http(s) only, checked above)
                token = answer.read(1024 * 1024).decode("ascii").strip()
        except (OSError, ValueError, UnicodeDecodeError) as error:
            self.stdout.write(f"  Could not fetch the status list from {url} ({error}).")
            return None
        fetched_at = datetime.now(UTC)
        status_list_cache_write(url, token, fetched_at)
        return StatusSource(token=token, description=f"the status list fetched from {url}")
