"""What ops/deploy_smoke.py needs beside the documented commands: the services it serves on
127.0.0.1 (a timestamp authority, a mail relay), the processes it starts, and a browser behind the
TLS proxy. Never imported by the app. `free_port` and `wait_for` serve the fault tests
(tests/faults) and the benchmark (bench/) too: ops never imports tests, so they live here."""

import contextlib
import hashlib
import hmac
import os
import re
import signal
import socket
import socketserver
import struct
import subprocess  # nosec B404  (runs the documented commands, which are shell lines)
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b32decode
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from ops.deploy_docs import deploy_commands  # noqa: E402 - after the checkout joins sys.path

HOST = "training.smoke.test"
SITE = f"https://{HOST}"
T = TypeVar("T")


class SmokeFailure(AssertionError):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def first_group(pattern: bytes, text: bytes, what: str) -> str:
    """The first group of pattern in text, or a failure naming what was not found."""
    match = re.search(pattern, text)
    check(match, f"not found: {what}")
    assert match is not None
    return match.group(1).decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(
    predicate: Callable[[], T | None],
    *,
    timeout: float,
    interval: float = 0.25,
    what: str = "condition",
) -> T:
    """Poll until predicate() is truthy; return its value, or fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SmokeFailure(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def step(title: str) -> None:
    print(f"\n--- {title} ({time.monotonic() - STARTED:.0f} s)", flush=True)


STARTED = time.monotonic()


# --- Services this process serves on 127.0.0.1: the timestamp authority and the mail relay --------


def serve_timestamp_authority(pki: Path) -> str:
    """RFC 3161 over HTTP, with the demo PKI's TSA key (the production client talks to it)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from asn1crypto import tsp

    from documents.sealing import _demo_timestamper

    authority = _demo_timestamper(pki / "tsa.p12")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            reply = authority.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/tsa"


class _SmtpSink(socketserver.StreamRequestHandler):
    """Enough SMTP to take a message and drop it: the relay /health/ checks and mail goes to."""

    def handle(self) -> None:
        # /health/ only opens a connection and drops it.
        with contextlib.suppress(ConnectionError):
            self._converse()

    def _converse(self) -> None:
        self.wfile.write(b"220 smoke ESMTP\r\n")
        in_data = False
        for raw in self.rfile:
            line = raw.rstrip(b"\r\n")
            if in_data:
                if line == b".":
                    in_data = False
                    self.wfile.write(b"250 kept\r\n")
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def serve_mail_relay() -> int:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpSink)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


# --- The documented commands ------------------------------------------------------------------


class Deployment:
    def __init__(self, env: dict, logs: Path):
        self.env = env
        self.logs = logs
        self.commands = deploy_commands()
        self.processes: list[tuple[str, subprocess.Popen]] = []

    def run(self, line: str, *, env: dict | None = None, ok: bool = True) -> str:
        result = subprocess.run(  # nosec B603 B607  (the documented command lines)
            ["sh", "-c", line], cwd=PROJECT, env=env or self.env, capture_output=True,
            text=True, timeout=600,
        )  # fmt: skip
        output = result.stdout + result.stderr
        if ok:
            check(result.returncode == 0, f"`{line}` failed:\n{output[-3000:]}")
        else:
            check(result.returncode != 0, f"`{line}` should have refused:\n{output[-3000:]}")
        return output

    def documented(self, name: str) -> list[str]:
        check(name in self.commands, f"docs/deploy.md marks no `{name}` block")
        return self.commands[name]

    def start(self, name: str, line: str, env: dict | None = None) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(  # nosec B603 B607
            ["sh", "-c", f"exec {line}"], cwd=PROJECT, env=env or self.env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes.append((name, process))
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for _, process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                print(f"{name} had to be killed")


# --- A browser behind the TLS proxy -------------------------------------------------------------


class Browser:
    """Talks plain HTTP to gunicorn with the headers the proxy adds; keeps the (Secure) cookies."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.7",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": SITE,
                            "Referer": SITE + path})  # fmt: skip
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=60) as response:
                status, head, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, head, body = error.code, error.headers, error.read()
        for cookie in head.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in cookie.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return status, {k.lower(): v for k, v in head.items()}, body

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self.request("GET", path)

    def post(self, path: str, fields: dict) -> tuple[int, dict, bytes]:
        """Posts the form on the page at path, with its CSRF token and hidden fields."""
        status, _, page = self.get(path)
        check(status == 200, f"GET {path} answered {status}")
        hidden = dict(re.findall(rb'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        form = {k.decode(): v.decode() for k, v in hidden.items()}
        return self.request("POST", path, {**form, **fields})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), what an authenticator app shows."""
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"
