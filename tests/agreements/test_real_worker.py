"""With a real Celery worker on Redis, signing the last step produces the agreement PDF.

The worker is a separate process on the test database, as in production: the signing request only
queues the work (after commit), and the worker renders the PDF and records its hash.
"""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from agreements.services import agreement_version_submit
from documents.models import GeneratedDocument
from irtraining.celery import app
from tests.faults.services import database_url_of

from .conftest import build_world, draft, sign_step

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.redis,
    pytest.mark.real_worker,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process needs a shared database: set DATABASE_URL (CI does)",
    ),
]


@pytest.fixture
def worker(redis_url, tmp_path, settings):
    assert app.conf.task_always_eager is False
    settings.MEDIA_ROOT = tmp_path / "media"
    # Queues left over from earlier runs on this Redis would feed the worker stale work.
    with app.connection_for_write() as conn:
        for queue in ("celery", "documents"):
            conn.default_channel.queue_purge(queue)
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of(connection.settings_dict),
        "REDIS_URL": redis_url,
        "PRIVATE_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log_path = tmp_path / "worker.log"
    celery = Path(sys.executable).with_name("celery")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "irtraining",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                "celery,documents",
                "-n",
                f"agreements-{os.getpid()}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_log_truncatable")
def test_signing_the_last_step_produces_the_pdf_in_the_worker(worker):
    process, log_path = worker
    world = build_world()
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    steps = list(request.steps.all())
    for step in steps[:-1]:
        sign_step(world, step)
    assert not GeneratedDocument.objects.exists()

    sign_step(world, steps[-1])

    deadline = time.monotonic() + 90
    document = None
    while time.monotonic() < deadline:
        document = GeneratedDocument.objects.filter(kind="agreement", subject_id=version.pk).first()
        if document and document.status == GeneratedDocument.Status.READY:
            break
        if process.poll() is not None:
            pytest.fail("worker died:\n" + log_path.read_text(errors="replace")[-3000:])
        time.sleep(0.5)
    log = log_path.read_text(errors="replace")
    assert document is not None and document.status == GeneratedDocument.Status.READY, log[-3000:]
    assert "documents.render" in log
    with document.file.open("rb") as pdf:
        data = pdf.read()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == document.sha256
