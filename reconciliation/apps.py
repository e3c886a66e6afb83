from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "reconciliation"
    verbose_name = "Evidence reconciliation"

    def ready(self):
        from accounts.inbox import register_inbox_section
        from accounts.navigation import register_nav_items
        from caselogs.registry import register_case_tags
        from caselogs.signals import cases_changed

        from . import checks  # noqa: F401  (registers the key checks)
        from .navigation import not_logged_inbox_section, reconciliation_nav_items
        from .receivers import cases_rematch
        from .selectors import case_tags

        cases_changed.connect(cases_rematch, dispatch_uid="reconciliation.cases_rematch")
        register_nav_items(reconciliation_nav_items)
        register_inbox_section(not_logged_inbox_section)
        register_case_tags(case_tags)
