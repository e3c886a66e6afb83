"""Settings for ``make bench`` only: the app's own settings, plus the floor (a minimal view on the
same server and middleware) and a header with each response's query count. Never used in
production: nothing but bench/run.py names this module."""

import os
from pathlib import Path

from irtraining.settings import *  # noqa: F401,F403  (the app's settings, all of them)
from irtraining.settings import BASE_DIR, MIDDLEWARE, STORAGES

ROOT_URLCONF = "bench.urls"
# Outermost, so the count includes the session and authentication queries of every middleware.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
# Production behaviour: DEBUG would keep every query in memory and show error pages.
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}

# Static files as in production: collected (bench/run.py runs collectstatic into BENCH_STATIC_ROOT)
# and served by whitenoise, compressed, from the manifest (the front end's page weight is theirs).
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
