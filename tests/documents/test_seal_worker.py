"""A real Celery worker seals; when it cannot, it retries and the document ends failed, never ready.

The worker is a separate process on the test database and Redis (CI sets DATABASE_URL and
REDIS_URL), started with the fault tests' app so it knows their document kinds, with the session's
demo PKI from the environment (tests/seal_pki.py).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from documents.models import GeneratedDocument
from documents.registry import unregister_document_kind
from documents.sealing import pdf_seal_check
from documents.services import document_request
from irtraining.celery import app
from tests.factories import OrganisationFactory
from tests.faults.kinds import BROKEN, NOTE, register
from tests.faults.services import database_url_of

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.redis,
    pytest.mark.real_worker,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process needs a shared database: set DATABASE_URL (CI does)",
    ),
]


def _start_worker(redis_url, media_root, log_path, **extra_env):
    with app.connection_for_write() as conn:
        for queue in ("celery", "documents"):
            conn.default_channel.queue_purge(queue)
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of(connection.settings_dict),
        "REDIS_URL": redis_url,
        "PRIVATE_MEDIA_ROOT": str(media_root),
        "PYTHONUNBUFFERED": "1",
        "FAULTS_KINDS": "1",
        "FAULTS_FAST": "1",
        **extra_env,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    celery = Path(sys.executable).with_name("celery")
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [
                str(celery),
                "-A",
                "tests.faults.celeryapp",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "-Q",
                "celery,documents",
                "-n",
                f"seals-{os.getpid()}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
def note_kind():
    register()
    yield
    unregister_document_kind(NOTE)
    unregister_document_kind(BROKEN)


def _wait_for(document, wanted, process, log_path, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status == wanted:
            return
        if process.poll() is not None:
            pytest.fail("worker died:\n" + log_path.read_text(errors="replace")[-3000:])
        time.sleep(0.5)
    pytest.fail(f"still {document.status}:\n" + log_path.read_text(errors="replace")[-3000:])


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_log_truncatable", "note_kind")
def test_a_real_worker_seals_the_pdf(redis_url, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    log_path = tmp_path / "worker.log"
    process = _start_worker(redis_url, settings.MEDIA_ROOT, log_path)
    try:
        document = document_request(
            kind=NOTE, subject=OrganisationFactory(), content_digest="a" * 64
        )
        _wait_for(document, GeneratedDocument.Status.READY, process, log_path)
    finally:
        _stop(process)
    check = pdf_seal_check(Path(document.file.path).read_bytes())
    assert check.ok, check


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_log_truncatable", "note_kind")
def test_a_worker_that_cannot_seal_retries_then_fails_and_never_issues(
    redis_url, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    broken = tmp_path / "broken.p12"
    broken.write_bytes(b"not a PKCS#12 file")
    log_path = tmp_path / "worker.log"
    process = _start_worker(
        redis_url, settings.MEDIA_ROOT, log_path, DOCUMENT_SEAL_PKCS12=str(broken)
    )
    try:
        document = document_request(
            kind=NOTE, subject=OrganisationFactory(), content_digest="b" * 64
        )
        _wait_for(document, GeneratedDocument.Status.FAILED, process, log_path)
    finally:
        _stop(process)
    assert document.attempts > 1  # retried
    assert "SealError" in document.last_error
    assert not document.sha256 and not document.file
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))
