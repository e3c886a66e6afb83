"""Start-up checks of the reconciliation keys: a malformed key is an error (every digest under it
would be wrong for ever); production without any key is a warning (lists would be refused)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from privacy.accession import key_setting_problems


@register()
def reconciliation_keys_well_formed(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for setting in ("RECONCILIATION_KEYS", "RECONCILIATION_PREVIOUS_KEYS"):
        for problem in key_setting_problems(setting, getattr(settings, setting, {})):
            messages.append(Error(problem, id="reconciliation.E001"))
    if settings.IS_PRODUCTION and not settings.RECONCILIATION_KEYS:
        messages.append(
            Warning(
                "RECONCILIATION_KEYS is empty: procedure lists and accession numbers will be "
                "refused until each organisation has a key (docs/deploy.md).",
                id="reconciliation.W001",
            )
        )
    return messages
