from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self):
        from privacy.scan import register_reference_shape

        from . import checks  # noqa: F401  (registers the start-up checks)
        from .codes import ALPHABET, GROUP

        # A verification code is random: "M27AB-9XY2C" must not read as the postcode M2 7AB.
        register_reference_shape(
            rf"(?<![A-Za-z0-9])[{ALPHABET}]{{{GROUP}}}-[{ALPHABET}]{{{GROUP}}}"
            r"(?![A-Za-z0-9])"
        )
