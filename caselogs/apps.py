from django.apps import AppConfig


class CaselogsConfig(AppConfig):
    name = "caselogs"
