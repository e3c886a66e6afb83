from django.apps import AppConfig


class SignoffsConfig(AppConfig):
    name = "signoffs"
    verbose_name = "Sign-offs"

    def ready(self):
        from accounts.inbox import register_inbox_section
        from audit.integrity import register_integrity_check

        from .inbox import awaiting_signature_section
        from .integrity import signoff_integrity_problems

        register_integrity_check("sign-offs", signoff_integrity_problems)
        register_inbox_section(awaiting_signature_section)
