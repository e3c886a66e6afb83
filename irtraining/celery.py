"""The Celery application. Settings come from Django's settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irtraining.settings")

app = Celery("irtraining")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="irtraining.ping")
def ping(value: str) -> dict:
    """A round trip through the broker and a worker, for operators and the CI smoke test."""
    return {"echo": value, "worker": ping.request.hostname}
