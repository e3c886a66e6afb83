from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Training agreements"

    def ready(self):
        from accounts.navigation import register_nav_items
        from documents.registry import register_document_kind
        from privacy.scan import register_reference_shape
        from signoffs.registry import SignoffHandler, register_signoff_kind

        from . import services
        from .content import agreement_version_content
        from .navigation import agreement_nav_items
        from .pdf import agreement_document_kind

        register_nav_items(agreement_nav_items)
        # A reference is random hex: "TA-2026-E575FA" must not read as the postcode E57 5FA in
        # the scan of stored text (agreements.services makes them when an agreement is drafted).
        register_reference_shape(r"(?<![A-Za-z0-9])TA-\d{4}-[0-9A-F]{6}(?![A-Za-z0-9])")
        register_signoff_kind(
            services.SIGNOFF_KIND,
            SignoffHandler(
                content=agreement_version_content,
                on_approved=services.on_agreement_signed,
                on_declined=services.on_agreement_declined,
                on_void=services.on_agreement_request_void,
                subject_url=lambda version: version.get_absolute_url(),
                may_view=lambda user, version: user.has_perm(
                    "agreements.see_agreement", version.agreement
                ),
            ),
        )
        register_document_kind(agreement_document_kind())
