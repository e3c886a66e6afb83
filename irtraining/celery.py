"""The Celery application. Settings come from Django's settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.app.amqp import AMQP
from kombu import Connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irtraining.settings")

# While the broker is down, workers and beat try again every 1, 2, ... seconds, at most every 5.
# Kombu's default backs off to 30 seconds, so after a minute's outage they could stay away for half
# a minute more, and the documents left for the sweeper would wait that long too.
RECONNECT_AT_MOST_EVERY_SECONDS = 5


class BrokerConnection(Connection):
    def ensure_connection(
        self,
        errback=None,
        max_retries=None,
        interval_start=1,
        interval_step=1,
        interval_max=RECONNECT_AT_MOST_EVERY_SECONDS,
        **kwargs,
    ):
        return super().ensure_connection(
            errback, max_retries, interval_start, interval_step, interval_max, **kwargs
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
