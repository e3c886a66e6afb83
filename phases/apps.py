from django.apps import AppConfig


class PhasesConfig(AppConfig):
    name = "phases"
    verbose_name = "Phases and progression"

    def ready(self):
        from accounts.inbox import register_inbox_section
        from agreements.signals import agreement_version_activated
        from documents.registry import register_document_kind
        from signoffs.registry import SignoffHandler, register_signoff_kind

        from . import services
        from .certificate import certificate_document_kind
        from .inbox import training_section
        from .receivers import start_phase_one

        register_signoff_kind(
            services.SIGNOFF_KIND,
            SignoffHandler(
                content=services.progression_content,
                on_approved=services.on_progression_approved,
                on_declined=services.on_progression_declined,
                on_void=services.on_progression_void,
                subject_url=lambda request: request.get_absolute_url(),
                may_view=services.may_view_progression,
                summary_template="phases/partials/snapshot.html",
            ),
        )
        register_document_kind(certificate_document_kind())
        register_inbox_section(training_section)
        agreement_version_activated.connect(start_phase_one, dispatch_uid="phases.start_phase_one")
