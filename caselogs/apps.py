from django.apps import AppConfig


class CaselogsConfig(AppConfig):
    name = "caselogs"
    verbose_name = "Logbook"

    def ready(self):
        from accounts.inbox import register_inbox_section
        from accounts.navigation import register_nav_items

        from .navigation import (
            discordance_inbox_section,
            logbook_nav_items,
            queried_cases_section,
            verification_inbox_section,
        )

        register_nav_items(logbook_nav_items)
        register_inbox_section(verification_inbox_section)
        register_inbox_section(discordance_inbox_section)
        register_inbox_section(queried_cases_section)
