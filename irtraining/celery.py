"""The Celery application. Settings come from Django's settings (``CELERY_*``)."""

import os
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.app.amqp import AMQP
from kombu import Connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irtraining.settings")

# While the broker is down, workers and beat try again every 1, 2, ... seconds, at most every 5.
# Kombu's default backs off to 30 seconds, so after a minute's outage they could stay away for half
# a minute more, and the documents left for the sweeper would wait that long too.
RECONNECT_AT_MOST_EVERY_SECONDS = 5


class BrokerConnection(Connection):
    def ensure_connection(  # type: ignore[override]  # kombu's other keywords pass via **kwargs
        self,
        errback: Callable[..., Any] | None = None,
        max_retries: int | None = None,
        interval_start: int = 1,
        interval_step: int = 1,
        interval_max: int = RECONNECT_AT_MOST_EVERY_SECONDS,
        **kwargs: Any,
    ) -> Connection:
        return super().ensure_connection(
            errback,
            max_retries,  # type: ignore[arg-type]  # None: retry for ever, as kombu's default
            interval_start,
            interval_step,
            interval_max,
            **kwargs,
        )


class BrokerAMQP(AMQP):
    Connection = BrokerConnection


app = Celery("irtraining", amqp=BrokerAMQP)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="irtraining.ping")
def ping(value: str) -> dict:
    """A round trip through the broker and a worker, for operators and the CI smoke test."""
    return {"echo": value, "worker": ping.request.hostname}
