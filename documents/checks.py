"""Start-up checks: outside production, say at once when the seal key is missing.

Without it every PDF fails to render (documents are never issued unsealed), which a developer
would otherwise learn only from a document marked failed.
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Warning, register


@register()
def seal_key_present(app_configs=None, **kwargs):
    if settings.IS_PRODUCTION or not settings.DOCUMENT_SEAL_PKCS12:
        return []
    if Path(settings.DOCUMENT_SEAL_PKCS12).is_file():
        return []
    return [
        Warning(
            f"No document seal key at {settings.DOCUMENT_SEAL_PKCS12}: every PDF will fail to render.",
            hint="Run `python manage.py demo_pki` (make run does) for a demo key, or set "
            "DOCUMENT_SEAL_PKCS12.",
            id="documents.W001",
        )
    ]
