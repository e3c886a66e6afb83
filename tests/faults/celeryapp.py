"""The Celery app the fault tests' workers and beat run (`celery -A tests.faults.celeryapp`).

It is the project's app, with two test-only additions read from the environment:

- FAULTS_FAST=1 shortens the documents timings (sweep interval and age, first retry delay) and
  the sign-off e-mail sweep to seconds, through the settings made for that, so a fault test does
  not wait minutes;
- FAULTS_KINDS=1 registers the document kinds of tests.faults.kinds (one of them never prints);
- FAULTS_PAUSE_BEFORE_RENAME=<folder>: the first render of each document to reach the rename of
  its temporary PDF writes a marker file named after the PDF into the folder and stops there for a
  minute, so the test can kill the worker at exactly that point (the temporary file written, the
  final one not yet in place). The re-run finds the marker and goes straight on.
"""

import os
import time
from pathlib import Path

from celery.signals import worker_process_init
from django.conf import settings

from irtraining.celery import app

__all__ = ["app"]

FAST_SWEEP_SECONDS = 5
FAST_RETRY_SECONDS = 0.25

if os.environ.get("FAULTS_FAST") == "1":
    settings.DOCUMENTS_SWEEP_INTERVAL_SECONDS = FAST_SWEEP_SECONDS
    settings.DOCUMENTS_SWEEP_AFTER_SECONDS = FAST_SWEEP_SECONDS
    settings.DOCUMENTS_RENDER_RETRY_SECONDS = FAST_RETRY_SECONDS
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "documents-sweep": {"task": "documents.sweep", "schedule": FAST_SWEEP_SECONDS},
        "signoff-notify-sweep": {"task": "signoffs.notify_sweep", "schedule": FAST_SWEEP_SECONDS},
    }


@worker_process_init.connect
def _test_kinds(**_):
    if os.environ.get("FAULTS_KINDS") == "1":
        from .kinds import register

        register()


@worker_process_init.connect
def _pause_before_rename(**_):
    folder = os.environ.get("FAULTS_PAUSE_BEFORE_RENAME")
    if not folder:
        return
    real_replace = os.replace

    def replace(source, destination, *args, **kwargs):
        marker = Path(folder) / Path(destination).name
        if str(source).endswith(".part") and not marker.exists():
            marker.write_text(str(source))
            time.sleep(60)
        return real_replace(source, destination, *args, **kwargs)

    os.replace = replace
