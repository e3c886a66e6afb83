from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and organisations"

    def ready(self):
        from . import signals  # noqa: F401  (connects the login audit receivers)
