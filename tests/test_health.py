"""/health/ answers 200 only when the database, the cache and the broker all work."""

from unittest import mock

import pytest
from celery import current_app
from django.db import OperationalError, connections
from django.urls import reverse

from irtraining.celery import app as celery_app

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker(settings, monkeypatch):
    """Switch the health check to a real broker at the URL given; pytest-django restores both."""

    def use(url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url
        monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
        # The check takes its connection from Celery's current app, which reads Django's settings
        # live: prove the switch reached it, so the request below really goes to that broker.
        assert current_app._get_current_object() is celery_app
        assert celery_app.conf.broker_url == url

    return use


def test_health_reports_every_check_ok(client, db):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    # A load balancer must see the state now, not a cached one.
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "static": "ok",
        "email": "ok",
    }


def test_static_files_not_collected_answer_degraded(client, db, settings, tmp_path):
    # Production's manifest storage with nothing collected: every page would fail.
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    response = client.get(reverse("health"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["static"]["status"] == "degraded"
    assert "collectstatic" in body["checks"]["static"]["problem"]


def test_production_e_mail_printed_to_the_log_answers_degraded(client, db, settings):
    settings.IS_PRODUCTION = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    body = client.get(reverse("health")).json()

    assert body["status"] == "degraded"
    assert body["checks"]["email"] == {
        "status": "degraded",
        "mode": "console",
        "problem": "e-mail is written to the log, not sent (EMAIL_URL)",
    }


def test_a_mail_relay_that_does_not_answer_is_degraded(client, db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1

    body = client.get(reverse("health")).json()

    assert body["checks"]["email"]["status"] == "degraded"
    assert body["status"] == "degraded"


def test_a_mail_relay_that_answers_is_ok(client, db, settings):
    import socket

    with socket.socket() as relay:
        relay.bind(("127.0.0.1", 0))
        relay.listen()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = relay.getsockname()

        body = client.get(reverse("health")).json()

    assert body["checks"]["email"] == {"status": "ok", "mode": "smtp"}


@pytest.mark.redis
def test_health_checks_a_real_broker(client, db, redis_url, broker):
    broker(redis_url)

    response = client.get(reverse("health"))

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"] == {"status": "ok", "mode": "redis"}


def test_unreachable_broker_answers_503(client, db, broker):
    broker(UNREACHABLE_BROKER)

    response = client.get(reverse("health"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"


def test_database_outage_answers_503(client, db):
    # Simulates an outage at the one point every query passes through.
    outage = OperationalError("could not connect to server")
    with mock.patch.object(connections["default"], "cursor", side_effect=outage):
        response = client.get(reverse("health"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == {"status": "error", "error": "OperationalError"}
    assert body["checks"]["cache"]["status"] == "ok"


def test_unreachable_cache_answers_503(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    response = client.get(reverse("health"))

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["cache"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"


def test_a_probe_is_answered_whatever_host_it_names(client, db):
    # A load balancer asks with the app's own address as Host, which no setting lists; a page
    # asked for that way is still refused.
    response = client.get("/health/", HTTP_HOST="10.9.8.7:8000")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert client.get("/account/login/", HTTP_HOST="10.9.8.7:8000").status_code == 400
