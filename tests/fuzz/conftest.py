"""The fuzz harness: post hostile submissions through the views people use, and check that every
answer is a page or a refusal (never a 500) and comes within two seconds.

Each example runs in a savepoint that is rolled back, so examples do not change each other's
world (a fuzzed form that happens to be valid saves, and the next example starts from the same
data) and a database error in one example cannot poison the next.
"""

import io
import os
import time

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, example, given, settings

from ..agreements.conftest import world  # noqa: F401  (fixture)
from ..caselogs.conftest import logbook  # noqa: F401  (fixture)
from ..conftest import EXPLORING
from ..phases.conftest import trainee_world  # noqa: F401  (fixture)
from .strategies import one_bad_field_at_a_time, queries, submissions

ALLOWED = {200, 302, 400, 403, 404}
LIMIT_SECONDS = 2.0


FUZZ_FACTOR = int(os.environ.get("FUZZ_FACTOR", "10"))


def fuzz(max_examples: int = 15):
    """Hypothesis settings for one fuzzed view: few examples (the whole folder must stay within
    two minutes on two shared cores) and the two-second deadline. Whether the examples are the
    same each run comes from the profile tests/conftest.py loads: the same in `make test`, new
    ones (FUZZ_FACTOR times as many) in `make fuzz`."""
    return settings(
        max_examples=max_examples * (FUZZ_FACTOR if EXPLORING else 1),
        # A slow answer is a find when exploring (`make fuzz`); in `make test` time is never
        # asserted, so a busy machine cannot turn the run red (the brief: time is for benchmarks).
        deadline=LIMIT_SECONDS * 1000 if EXPLORING else None,
        print_blob=True,
        # Shrinking a slow example can take minutes: a run reports the example as found (it is
        # reproducible from the printed blob); FUZZ_SHRINK=1 shrinks it when debugging.
        phases=list(Phase)
        if os.environ.get("FUZZ_SHRINK") == "1"
        else [Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


def answer(client: Client, method: str, url: str, submission=None, **extra):
    """Send one submission; assert it is answered, not crashed (exploring: in time).

    ``submission`` is ("form", dict), ("raw", (bytes, content type)), ("query", dict) or a dict
    (a form). The default test client re-raises a view's exception, so a 500 fails the example
    with its traceback."""
    kind, payload = submission if isinstance(submission, tuple) else ("form", submission or {})
    with transaction.atomic():
        started = time.perf_counter()
        if method == "get":
            response = client.get(url, payload, **extra)
        elif kind == "raw":
            body, content_type = payload
            # generic() sends the bytes as they are; post() would re-encode them first.
            response = client.generic("POST", url, body, content_type=content_type, **extra)
        else:
            response = client.post(url, payload, **extra)
        if response.streaming:
            # A download fails while it streams.
            b"".join(response.streaming_content)  # type: ignore[attr-defined]  # a streaming response
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    assert response.status_code in ALLOWED, (response.status_code, response.content[:500])
    if EXPLORING:
        assert elapsed < LIMIT_SECONDS, f"{method.upper()} {url} took {elapsed:.2f} s"
    return response


def uploaded_as(name: str, content: bytes) -> io.BytesIO:
    """A file the test client sends under ``name`` exactly as a hostile browser could: names
    SimpleUploadedFile refuses on the test's side ("." or "..") still reach the server's own
    multipart parser, which is what is under test."""
    upload = io.BytesIO(content)
    upload.name = name
    return upload


@pytest.fixture
def visitor():
    return Client()


def fuzz_view(
    client: Client,
    method: str,
    url: str,
    valid: dict,
    *,
    choices: dict | None = None,
    max_examples: int = 15,
    battery: bool = True,
    examples=(),
):
    """Fuzz one view: every field meets the classic bad values one at a time, then hypothesis
    sends ``examples`` (each a submission a past run found failing, kept so it is tried on every
    run) and random hostile submissions built from ``valid``."""
    kind = "query" if method == "get" else "form"
    if battery:
        for data in one_bad_field_at_a_time(valid):
            answer(client, method, url, (kind, data))
    strategy = (
        queries(valid, choices=choices) if method == "get" else submissions(valid, choices=choices)
    )

    def run(submission):
        answer(client, method, url, submission)

    test = given(strategy)(run)
    for found in reversed(examples):
        test = example(found)(test)
    fuzz(max_examples)(test)()
