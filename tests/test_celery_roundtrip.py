"""A task goes through Redis to a real worker process and its result comes back.

The worker consumes a queue of its own, not `celery`: with REDIS_URL set, other tests in the same
run queue real task messages on `celery` that nobody consumes, and a worker taking those would run
them against the development database (and other runs sharing this Redis would race for the ping).
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from irtraining.celery import app, ping

pytestmark = [pytest.mark.redis, pytest.mark.real_worker]

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60


def _celery_command() -> list[str]:
    celery = Path(sys.executable).with_name("celery")
    return [str(celery)] if celery.exists() else [sys.executable, "-m", "celery"]


def _log_tail(log_path: Path) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])


@pytest.fixture
def worker(redis_url, tmp_path):
    """A `celery worker` subprocess on its own queue; yields (node name, queue)."""
    # The settings were imported with this process's environment: prove that put the app on Redis
    # rather than running tasks in-process, or the round trip below would prove nothing.
    assert app.conf.task_always_eager is False, "REDIS_URL is set but tasks still run eagerly"
    assert app.conf.broker_url == redis_url, (app.conf.broker_url, redis_url)
    assert app.conf.result_backend == redis_url, (app.conf.result_backend, redis_url)

    name = f"roundtrip-{uuid.uuid4().hex}"
    nodename = f"{name}@{socket.gethostname()}"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "irtraining.settings",
        "PYTHONUNBUFFERED": "1",
    }
    # The browser tests' conftest sets this for the whole process; a worker runs without it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [
        *_celery_command(),
        "-A", "irtraining", "worker",
        "--pool=solo", "--concurrency=1", "--loglevel=INFO",
        "-Q", name, "-n", f"{name}@%h",
        # Nothing to synchronise with: other workers on this Redis belong to other runs.
        "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"worker exited with {process.returncode}:\n{_log_tail(log_path)}")
            if app.control.ping(destination=[nodename], timeout=1.0):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"worker not ready in {READY_TIMEOUT}s:\n{_log_tail(log_path)}")
        yield nodename, name
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        # The worker declared its queue in Redis; leave nothing of it behind.
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"*{name}*"):
            client.delete(key)
        client.close()


def test_ping_round_trip_through_a_real_worker(worker):
    nodename, queue = worker

    result = ping.apply_async(args=("hello",), queue=queue)

    assert result.get(timeout=30) == {"echo": "hello", "worker": nodename}
    assert result.successful()
    result.forget()
