"""Start-up checks for the keys that seal PDFs and sign credentials.

Outside production, a missing key is a warning naming `manage.py demo_pki`: without it every PDF
fails to render (documents are never issued unsealed) and no credential can be issued, which a
developer would otherwise learn only from a document marked failed or an error page. Under
production settings an unconfigured key is an error, so the deployment check (`make check`) and
`manage.py migrate`/`runserver` refuse to start.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def seal_key_present(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.IS_PRODUCTION:
        if settings.DOCUMENT_SEAL_PKCS12:
            return []
        return [
            Error(
                "No document seal key is configured: no PDF can be issued.",
                hint="Set DOCUMENT_SEAL_PKCS12 (and DOCUMENT_SEAL_PASSPHRASE); README, "
                "'Document seals'.",
                id="documents.E001",
            )
        ]
    if not settings.DOCUMENT_SEAL_PKCS12 or Path(settings.DOCUMENT_SEAL_PKCS12).is_file():
        return []
    return [
        Warning(
            f"No document seal key at {settings.DOCUMENT_SEAL_PKCS12}: every PDF will fail to "
            "render.",
            hint="Run `python manage.py demo_pki` (make run does) for a demo key, or set "
            "DOCUMENT_SEAL_PKCS12.",
            id="documents.W001",
        )
    ]


@register()
def credential_key_present(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.IS_PRODUCTION:
        if settings.CREDENTIAL_SIGNING_KEY:
            return []
        return [
            Error(
                "No credential signing key is configured: no certificate credential can be "
                "issued and no status list signed.",
                hint="Set CREDENTIAL_SIGNING_KEY to a PEM EC P-256 or Ed25519 private key; "
                "README, 'Verifiable credentials'.",
                id="documents.E002",
            )
        ]
    if not settings.CREDENTIAL_SIGNING_KEY or Path(settings.CREDENTIAL_SIGNING_KEY).is_file():
        return []
    return [
        Warning(
            f"No credential signing key at {settings.CREDENTIAL_SIGNING_KEY}: certificate "
            "credentials cannot be issued.",
            hint="Run `python manage.py demo_pki` (make run does) for a demo key, or set "
            "CREDENTIAL_SIGNING_KEY.",
            id="documents.W002",
        )
    ]
