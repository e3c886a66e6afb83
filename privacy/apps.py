from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from django.db.models.signals import pre_save

        from .guard import guard_free_text_before_save

        # The backstop behind every door (form, service, import, admin, shell): a row whose
        # person-written text holds a patient identifier is never written.
        pre_save.connect(guard_free_text_before_save, dispatch_uid="privacy.guard")
