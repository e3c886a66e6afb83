"""Issue 8, item 3: PostgreSQL restarts during a short load run.

A private PostgreSQL cluster (never the machine's) carries the app: gunicorn with two workers and
persistent database connections, as in production. A trainee logs cases, three people sign steps
of a dozen agreements, and a monitor polls /health/, all at once. Mid-run the server is stopped
(fast: every session cut, as in a crash or failover), left down for a few seconds and started again.

- /health/ answers 503 naming the database while it is down, 200 once it is back;
- errors stop within 30 seconds of the restart (the workers' stale connections are noticed by
  Django's connection health checks and replaced), and requests then succeed;
- nothing is half-written: every signature has its step signed and its audit event, every signed
  step its signature, every case its audit event, and the audit chain verifies.
"""

import json
import threading
import time

import pytest

from ops.smoke_support import free_port
from tests.factories import TEST_PASSWORD

from .people import LOAD_CODES
from .services import (
    Browser,
    PrivatePostgres,
    Processes,
    app_environment,
    django_script,
    manage,
    postgres_binaries_available,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not postgres_binaries_available(),
        reason="needs PostgreSQL's initdb and pg_ctl (CI installs postgresql)",
    ),
]

AGREEMENTS = 12
BEFORE_SECONDS = 5
DOWN_SECONDS = 5
AFTER_SECONDS = 20
ERRORS_STOP_WITHIN_SECONDS = 30

CHECK = """
import json
from audit.models import AuditEvent
from caselogs.models import Case
from signoffs.models import Signature, SignoffRequest, SignoffStep
problems = []
for step in SignoffStep.objects.exclude(status="pending"):
    if not Signature.objects.filter(step=step).exists():
        problems.append(f"step {step.pk} is {step.status} without a signature")
for signature in Signature.objects.select_related("step"):
    if signature.step.status == "pending":
        problems.append(f"signature {signature.pk} on a step still pending")
for request in SignoffRequest.objects.all():
    pending = request.steps.filter(status="pending").exists()
    if (request.status == "open") != pending:
        problems.append(f"request {request.pk} is {request.status}, pending steps: {pending}")
events = AuditEvent.objects.filter(verb="signoff.signed").count()
if events != Signature.objects.count():
    problems.append(f"{Signature.objects.count()} signatures, {events} signoff.signed events")
logged = set(AuditEvent.objects.filter(verb="case.logged").values_list("object_id", flat=True))
cases = {str(pk) for pk in Case.objects.values_list("pk", flat=True)}
if logged != cases:
    problems.append(f"cases without an event: {cases - logged}; events without: {logged - cases}")
print("CHECK " + json.dumps({"problems": problems, "cases": len(cases),
                             "signatures": Signature.objects.count()}))
"""


class Load:
    """Threads sending requests until stopped, each result kept as (time, what, ok, detail)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.stopping = threading.Event()
        self.results: list[tuple[float, str, bool, str]] = []
        self.threads: list[threading.Thread] = []

    def record(self, what, ok, detail=""):
        self.results.append((time.monotonic(), what, ok, detail))

    def send(self, what, call, expect):
        try:
            status, body, _ = call()
        except OSError as error:  # refused, reset or timed out: the person sees an error
            self.record(what, False, f"{type(error).__name__}: {error}")
            return None, ""
        self.record(what, status in expect, str(status))
        return status, body

    def start(self, target, *args):
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _sign_in(self, email, codes):
        # Signing in is part of the load: tried again until it works, as a person would.
        while not self.stopping.is_set():
            try:
                return Browser(self.base_url, timeout=10).sign_in(email, TEST_PASSWORD, next(codes))
            except (AssertionError, OSError):
                time.sleep(0.5)
        return None

    def log_cases(self, email, form, codes):
        browser = self._sign_in(email, codes)
        n = 0
        while browser and not self.stopping.is_set():
            n += 1
            self.send(
                "case",
                lambda: browser.post("/logbook/new/", {**form, "reference": f"LOAD-{n:04d}"}),  # noqa: B023  (called at once, by send)
                expect={302},
            )
            time.sleep(0.2)

    def sign(self, email, steps, codes):
        browser = self._sign_in(email, codes)
        for step in steps:
            if browser is None or self.stopping.is_set():
                return
            # 302: signed; 200: refused with a reason on the page (never expected here, but not
            # a server error). Each step is tried once, whatever happens.
            self.send(
                "sign",
                lambda: browser.post(
                    f"/signoffs/steps/{step}/sign/",  # noqa: B023  (called at once, by send)
                    {"decision": "approve", "reason": "", "code": next(codes)},
                ),
                expect={302, 200},
            )
            time.sleep(1.5)

    def monitor(self, health):
        browser = Browser(self.base_url, timeout=5)
        while not self.stopping.is_set():
            try:
                status, body, _ = browser.get("/health/")
                database = json.loads(body)["checks"]["database"]["status"] if body else None
            except (OSError, ValueError, KeyError) as error:
                status, database = None, type(error).__name__
            health.append((time.monotonic(), status, database))
            time.sleep(0.25)


@pytest.fixture
def cluster():
    server = PrivatePostgres().init()
    server.start()
    yield server
    server.destroy()


def test_a_postgres_restart_under_load(cluster, tmp_path):
    env = app_environment(
        database_url=cluster.create_database("irtraining"),
        redis_url="",
        media_root=tmp_path / "private-media",
    )
    # No broker: tasks (e-mail) run in the web process, so only the database is being tested.
    env.pop("REDIS_URL")
    manage(env, "migrate", "--noinput")
    seeded = django_script(
        env, f"from tests.faults.people import seed_restart_world\nseed_restart_world({AGREEMENTS})"
    )
    world = json.loads(seeded.split("WORLD ", 1)[1])

    processes = Processes(tmp_path / "logs")
    port = free_port()
    load = Load(f"http://127.0.0.1:{port}")
    health = []
    try:
        processes.web(env, port)
        case_form = {
            "performed_on": time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400)),
            "site": world["case_form"]["site"],
            "out_of_hours": "true",
            "procedure": "mt",
            "trainee_role": "primary_operator",
            "supervisor": world["case_form"]["supervisor"],
            "supervision_mode": "scrubbed",
            "final_etici": "2c",
            "passes": "1",
        }
        load.start(load.monitor, health)
        load.start(load.log_cases, world["trainee"], case_form, iter(LOAD_CODES))
        for signer in world["signers"]:
            load.start(load.sign, signer["email"], signer["steps"], iter(LOAD_CODES))

        time.sleep(BEFORE_SECONDS)
        stopped = time.monotonic()
        cluster.stop()
        time.sleep(DOWN_SECONDS)
        cluster.start()
        restarted = time.monotonic()
        time.sleep(AFTER_SECONDS)
    finally:
        load.stop()
        processes.stop_all()

    results = sorted(load.results)
    summary = f"{len(results)} requests; errors at " + ", ".join(
        f"{t - restarted:+.1f}s {w} {d}" for t, w, ok, d in results if not ok
    )
    before = [r for r in results if r[0] < stopped]
    assert before and all(ok for _, _, ok, _ in before), summary
    # Requests failed while it was down (the run did meet the outage)...
    assert any(not ok for t, _, ok, _ in results if stopped <= t <= restarted + 2), summary
    # ...and errors stopped within 30 seconds of the restart, followed by success for long enough
    # (at least 10 seconds) to show they stopped.
    errors = [t for t, _, ok, _ in results if not ok]
    last_error = max(errors)
    assert last_error - restarted <= ERRORS_STOP_WITHIN_SECONDS, summary
    after = [r for r in results if r[0] > last_error]
    assert results[-1][0] - last_error >= 10, summary
    assert {"case", "sign"} <= {what for _, what, _, _ in after}, summary
    print(f"\n{summary}; last error {last_error - restarted:+.1f}s from the restart")

    # /health/ named the database while it was down, and was healthy again once it was back.
    during = [(s, db) for t, s, db in health if stopped + 0.5 < t < restarted - 0.5]
    assert during and all(s == 503 and db == "error" for s, db in during), during
    late = [(s, db) for t, s, db in health if t > restarted + 5]
    assert late and all(s == 200 and db == "ok" for s, db in late), late

    # Nothing half-written.
    check = json.loads(django_script(env, CHECK).split("CHECK ", 1)[1])
    assert check["problems"] == [], check
    successes = [w for _, w, ok, d in results if ok and d == "302"]
    assert check["cases"] >= successes.count("case") > 0
    print(f"{check['cases']} cases, {check['signatures']} signatures, all whole")
    manage(env, "audit_verify")
