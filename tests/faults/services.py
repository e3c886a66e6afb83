"""Private services for the fault tests, started and stopped by the tests themselves.

The fault tests kill, stop and restart things. They must never do that to the machine's Redis or
PostgreSQL, which other people's test runs share, so each test starts its own redis-server (and,
for the database restart, its own PostgreSQL cluster) on a free port, and runs the application as
real processes on them: gunicorn for the web, a Celery worker and Celery beat. The test process
itself only drives HTTP, runs `manage.py shell -c` scripts and reads the database and files.
"""

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import redis

from ops.smoke_support import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _postgres_bin() -> Path:
    """The newest server installed the Debian way (/usr/lib/postgresql/<version>/bin), else PATH."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    versions = [p for p in versions if (p / "initdb").exists()]
    if versions:
        return max(versions, key=lambda p: int(p.parent.name))
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else Path("/nonexistent")


PG_BIN = _postgres_bin()
REDIS_SERVER = shutil.which("redis-server")


def postgres_binaries_available() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


def log_tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- Redis ---------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of the test's own: no persistence, so a stop loses everything queued."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def answers(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> "PrivateRedis":
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,  # type: ignore[list-item]  # without it the tests skip (conftest)
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self.answers, timeout=15, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
        wait_for(lambda: not self.answers(), timeout=5, what="redis-server to stop")


# --- PostgreSQL ----------------------------------------------------------------------------------


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb in a temporary folder) on a free port.

    As root, the server runs as the `postgres` OS user (PostgreSQL refuses to run as root), so the
    cluster lives in a folder of its own under /tmp that user can reach, not in pytest's tmp_path.
    """

    def __init__(self):
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="irfaults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, *command],
            cwd=self.root,
            check=check,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> "PrivatePostgres":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        return self

    def _pg_ctl(self, action: str, *extra: str) -> None:
        # fsync off: a test cluster needs no durability across a power cut, only across restarts.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=60"
        )
        result = self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            *extra,
            action,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"pg_ctl {action} failed: {result.stdout}{result.stderr}\n" + log_tail(self.log)
            )

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self) -> None:
        # fast: disconnect every client at once, as a crash or a failover would.
        self._pg_ctl("stop", "-m", "fast")

    def create_database(self, name: str) -> str:
        self._run(
            str(PG_BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )
        return self.url(name)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "-w",
                "stop",
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)


def database_url_of(settings_dict) -> str:
    """The URL of a Django connection's database (the pytest test database, for the workers)."""
    s = settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


# --- The application's processes ----------------------------------------------------------------


def app_environment(*, database_url: str, redis_url: str, media_root: Path, **extra) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PRIVATE_MEDIA_ROOT": str(media_root),
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "INFO",
        **{key: str(value) for key, value in extra.items()},
    }
    # Set by the browser tests' conftest for the whole pytest process; no server runs with it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("CELERY_BROKER_URL", None)
    return env


class Processes:
    """The processes a test started, each in its own process group, all stopped at the end."""

    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        self.logdir.mkdir(parents=True, exist_ok=True)
        log = (self.logdir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((name, process))
        return process

    def log(self, name: str) -> Path:
        return self.logdir / f"{name}.log"

    def worker(
        self, env: dict, *, name: str = "worker", app: str = "irtraining", concurrency: int = 1
    ) -> subprocess.Popen:
        return self.start(name, [
            str(BIN / "celery"), "-A", app, "worker", "--loglevel=INFO", "--pool=prefork",
            f"--concurrency={concurrency}", "-Q", "celery,documents",
            "-n", f"{name}-{os.getpid()}@%h",
            "--max-tasks-per-child=50", "--without-mingle", "--without-gossip",
        ], env)  # fmt: skip

    def beat(self, env: dict, *, app: str = "irtraining") -> subprocess.Popen:
        # The project's own scheduler (django-celery-beat), schedule read from the settings.
        return self.start("beat", [
            str(BIN / "celery"), "-A", app, "beat", "--loglevel=INFO",
            "--max-interval=1",
        ], env)  # fmt: skip

    def web(self, env: dict, port: int, *, workers: int = 2) -> subprocess.Popen:
        process = self.start("web", [
            str(BIN / "gunicorn"), "irtraining.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--timeout", "60", "--graceful-timeout", "5",
            # Its default control socket is one path in $HOME, shared by every gunicorn started.
            "--no-control-socket",
        ], env)  # fmt: skip
        wait_for(
            lambda: _answers(port) or process.poll() is not None,
            timeout=60,
            what="gunicorn to answer",
        )
        if process.poll() is not None:
            raise AssertionError("gunicorn exited:\n" + log_tail(self.log("web")))
        return process

    def stop(self, process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 20) -> None:
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        # Signal them all first, then wait: each one's shutdown overlaps the others'.
        running = [process for _, process in self.started if process.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.stop(process, signal.SIGKILL)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # 503 still means the server is up
    except OSError:
        return False


def manage(env: dict, *args: str, timeout: float = 180) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)[:200]} failed:\n{result.stdout}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def django_script(env: dict, code: str, timeout: float = 180) -> str:
    """Run Python in a Django shell on the environment's services; returns what it printed."""
    return manage(env, "shell", "-c", code, timeout=timeout)


# --- HTTP ---------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person's browser: cookies, the CSRF token, no redirects followed (302s are checked)."""

    def __init__(self, base_url: str, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def _csrf(self) -> str:
        return next((c.value or "" for c in self.cookies if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = None
        headers = {}
        if data is not None:
            body = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": self._csrf(), **data}, doseq=True
            ).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base_url + path, data=body, headers=headers, method=method
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read().decode(errors="replace")
                return response.status, body, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), dict(error.headers)

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict):
        if not self._csrf():
            self.get(path)
        return self.request("POST", path, data)

    def sign_in(self, email: str, password: str, code: str | None = None) -> "Browser":
        self.get("/account/login/")
        status, body, _ = self.post("/account/login/", {"username": email, "password": password})
        assert status == 302, (status, _text(body))
        if code is not None:
            status, body, _ = self.post("/account/two-factor/verify/", {"code": code})
            assert status == 302, (status, _text(body))
        return self


def page_summary(html: str) -> str:
    """The page's title and the first lines of its text: for an assertion message (a 500 page's
    title names the exception)."""
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    return ((title.group(1).strip() + ": ") if title else "") + _text(html)[:300]


def _text(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()[:1500]
