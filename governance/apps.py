from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance and audit"

    def ready(self):
        from accounts.navigation import register_nav_items
        from documents.registry import register_document_kind
        from phases.registry import register_annual_review_section

        from .continued_practice import annual_review_continued_practice
        from .inbox import register_governance_inbox
        from .navigation import governance_nav_items
        from .reports import report_document_kind

        register_nav_items(governance_nav_items)
        register_document_kind(report_document_kind())
        register_annual_review_section(annual_review_continued_practice)
        register_governance_inbox()
