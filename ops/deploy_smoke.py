"""CI's deploy smoke test (issue 18): docs/deploy.md's commands on this machine, without Docker.

    .venv/bin/python ops/deploy_smoke.py --postgres postgres://postgres@127.0.0.1:5432/postgres

It reads the commands from docs/deploy.md's blocks marked `<!-- smoke: NAME -->` and runs each with
`sh -c`, .venv/bin first on PATH, in the production environment of its Configuration table, with:

- a database of its own (`--database`, default irtraining_smoke) and the two roles of "Database
  roles" (<database>_owner, <database>_app), made through the superuser URL given; a redis-server
  of its own on a free port; the demo PKI for the seal keys, and a timestamp authority and a mail
  relay served from this process on 127.0.0.1.

Then: the settings refuse an http SITE_URL and a missing EMAIL_URL; migrate and grant as the owner;
gunicorn refuses to start before `collectstatic` (into ./staticfiles, as the image does, from none);
collectstatic; gunicorn, the worker and beat as the app role; `/health/` as a probe (plain HTTP, no
headers) says ok; the worker and beat answer `inspect ping`; `create_admin`, its link, a password,
the sign-in goes to two-factor setup, an authenticator code; a page says `Cache-Control: no-store`
and its static files load; an audit report's PDF is rendered and sealed by the worker; `seed_demo`
refuses; with the demo's accounts in the database gunicorn refuses to start.

Everything it starts it stops; it drops its database and roles and the collected static files.
Exits 1 naming what failed, with the tail of each process's log.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess  # nosec B404  (redis-server, demo_pki and the documented lines)
import sys
import tempfile
import traceback
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke_support import (  # noqa: E402 - after ops/ joins sys.path
    HOST,
    PROJECT,
    Browser,
    Deployment,
    SmokeFailure,
    check,
    first_group,
    free_port,
    serve_mail_relay,
    serve_timestamp_authority,
    step,
    totp,
    wait_for,
)

VENV_BIN = PROJECT / ".venv" / "bin"


def admin_sql(postgres: str, statements: list[str], database: str = "postgres") -> None:
    import psycopg2

    link = psycopg2.connect(urlunsplit(urlsplit(postgres)._replace(path=f"/{database}")))
    link.autocommit = True
    try:
        with link.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        link.close()


def url_as(postgres: str, role: str, password: str, database: str) -> str:
    parts = urlsplit(postgres)
    netloc = f"{role}:{password}@{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{database}"))


def production_environment(work: Path, urls: dict, pki: Path, tsa: str, mail_port: int) -> dict:
    """Section 3's variables, as an operator's .env would set them; nothing else of this shell."""
    return {
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(work / "home"),
        "LANG": "C.UTF-8",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "TEXT_COMMITMENT_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "DATABASE_URL": urls["app"],
        "OWNER_DATABASE_URL": urls["owner"],
        "APP_ROLE": urls["app_role"],
        "REDIS_URL": urls["redis"],
        "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}",
        "DEFAULT_FROM_EMAIL": f"training@{HOST}",
        "PRIVATE_MEDIA_ROOT": str(work / "private-media"),
        "TRUSTED_PROXY_COUNT": "1",
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
        "DOCUMENT_SEAL_PKCS12": str(pki / "seal.p12"),
        "DOCUMENT_SEAL_PKCS12_DIR": str(pki / "organisations"),
        "DOCUMENT_SEAL_PASSPHRASE": "demo-not-secret",
        "DOCUMENT_SEAL_TSA_URL": tsa,
        "DOCUMENT_SEAL_TRUST_ROOTS": str(pki / "root.pem"),
        "CREDENTIAL_SIGNING_KEY": str(pki / "credential-key.pem"),
    }


def refusals_of_the_settings(deploy: Deployment) -> None:
    step("The settings refuse an http SITE_URL and a missing EMAIL_URL")
    http = deploy.run(
        "python manage.py check", env={**deploy.env, "SITE_URL": "http://x"}, ok=False
    )
    check("SITE_URL must be the public https:// address" in http, http[-2000:])
    without = {k: v for k, v in deploy.env.items() if k != "EMAIL_URL"}
    unset = deploy.run("python manage.py check", env=without, ok=False)
    check("EMAIL_URL is not set" in unset, unset[-2000:])


def gunicorn_refuses(deploy: Deployment, name: str, reason: str, env: dict) -> None:
    [web] = deploy.documented("web")
    process = deploy.start(name, web, env)
    wait_for(lambda: process.poll() is not None, timeout=90, what=f"{name} to refuse to start")
    check(process.returncode != 0, f"{name} exited {process.returncode}")
    log = deploy.log(name)
    check("Refusing to start in production" in log and reason in log, log[-3000:])
    print(f"gunicorn refused ({reason})")


def sign_in_first_administrator(deploy: Deployment, browser: Browser) -> None:
    step("The first administrator: create_admin, the link, a password, two-factor")
    [create_admin] = deploy.documented("create_admin")
    output = deploy.run(create_admin)
    link = next(line for line in output.splitlines() if line.startswith(f"https://{HOST}/"))
    path = link.removeprefix(f"https://{HOST}")
    status, headers, _ = browser.get(path)
    check(status == 302, f"the set-password link answered {status}")
    form = headers["location"]
    status, _, body = browser.post(form, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    check(status == 302, f"setting the password answered {status}: {body[:300]!r}")
    email = first_group(rb"--email (\S+)", create_admin.encode(), "create_admin's --email")
    status, _, _ = browser.post("/account/login/", {"username": email, "password": PASSWORD})
    check(status == 302, f"signing in answered {status}")
    status, headers, _ = browser.get("/")
    check(status == 302 and "/account/two-factor/setup/" in headers.get("location", ""),
          f"the first sign-in must go to two-factor setup, went to {status} {headers}")  # fmt: skip
    _, _, setup = browser.get("/account/two-factor/setup/")
    secret = first_group(rb'id="totp-secret">([A-Z2-7 ]+)<', setup, "the authenticator key")
    status, _, _ = browser.post("/account/two-factor/setup/", {"code": totp(secret)})
    check(status == 302, f"confirming the authenticator answered {status}")


def pages_and_static_files(browser: Browser) -> None:
    step("A signed-in page: no-store, Permissions-Policy, its static files")
    status, headers, page = browser.get("/")
    check(status == 200, f"the home page answered {status}")
    check("no-store" in headers.get("cache-control", ""), f"Cache-Control: {headers}")
    check("camera=()" in headers.get("permissions-policy", ""), f"Permissions-Policy: {headers}")
    assets = set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', page))
    check(assets, "the page names no static files")
    for asset in sorted(assets):
        status, _, body = browser.get(asset.decode())
        check(status == 200 and body, f"{asset.decode()} answered {status}")
        # Collected by the manifest storage: names carry the content's hash.
        check(re.search(rb"\.[0-9a-f]{12}\.", asset), f"{asset.decode()} is not a collected name")
    print(f"{len(assets)} static files served")


def a_sealed_pdf_from_the_worker(browser: Browser) -> None:
    step("An audit report's PDF, rendered and sealed by the worker")
    _, _, page = browser.get("/governance/reports/")
    organisation = first_group(rb'<option value="(\d+)"', page, "an organisation to report on")
    status, headers, _ = browser.post(
        "/governance/reports/",
        {"organisation": organisation, "trainee": "", "period_start": "2026-01-01",
         "period_end": "2026-12-31"},
    )  # fmt: skip
    check(status == 302, f"requesting a report answered {status}")
    report = headers["location"]

    def downloaded() -> bytes | None:
        _, _, body = browser.get(report)
        found = re.search(rb'href="(/documents/\d+/download/)"', body)
        if not found:
            return None
        status, headers, pdf = browser.get(found.group(1).decode())
        return pdf if status == 200 and headers["content-type"] == "application/pdf" else None

    pdf = wait_for(downloaded, timeout=120, what="the worker to produce the report's PDF")
    check(pdf.startswith(b"%PDF") and b"/ByteRange" in pdf, "the PDF carries no seal")
    print(f"PDF of {len(pdf)} bytes, sealed")


PASSWORD = "smoke-" + secrets.token_urlsafe(16)


def smoke(deploy: Deployment) -> None:
    refusals_of_the_settings(deploy)

    step("Migrate and grant, as the owner")
    for line in deploy.documented("migrate"):
        deploy.run(line)

    step("gunicorn before collectstatic")
    shutil.rmtree(PROJECT / "staticfiles", ignore_errors=True)
    gunicorn_refuses(deploy, "web-uncollected", "static files were not collected", deploy.env)

    step("collectstatic; web, worker and beat as the app role")
    for line in deploy.documented("collectstatic"):
        deploy.run(line)
    [web], [worker], [beat] = (deploy.documented(n) for n in ("web", "worker", "beat"))
    deploy.start("web", web)
    deploy.start("worker", worker)
    deploy.start("beat", beat)

    step("/health/ as a load balancer asks: plain HTTP, no headers")

    def healthy() -> dict | None:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{deploy.env['PORT']}/health/", timeout=5
            ) as response:
                return json.load(response) if response.status == 200 else None
        except OSError:
            return None

    body = wait_for(healthy, timeout=90, what="/health/ to answer 200")
    check(body["status"] == "ok", f"/health/ says {body}")
    print(f"/health/: {body['status']}, {sorted(body['checks'])}")
    for probe in ("probe-worker", "probe-beat"):
        [line] = deploy.documented(probe)
        wait_for(lambda line=line: _answers(deploy, line), timeout=90, what=f"`{line}` to answer")
        print(f"{probe}: pong")

    browser = Browser(int(deploy.env["PORT"]))
    sign_in_first_administrator(deploy, browser)
    pages_and_static_files(browser)
    a_sealed_pdf_from_the_worker(browser)

    step("seed_demo refuses; the demo's accounts stop gunicorn")
    refused = deploy.run("python manage.py seed_demo", ok=False)
    check("never production" in refused, refused[-2000:])
    deploy.run("python manage.py shell -c 'from accounts.demo import seed_people; seed_people()'")
    gunicorn_refuses(
        deploy, "web-demo", "the demo password is set on", {**deploy.env, "PORT": str(free_port())}
    )


def _answers(deploy: Deployment, line: str) -> bool:
    result = subprocess.run(  # nosec B603 B607
        ["sh", "-c", line], cwd=PROJECT, env=deploy.env, capture_output=True, text=True, timeout=60
    )
    return result.returncode == 0 and "pong" in result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="a superuser URL to the server")
    parser.add_argument("--database", default="irtraining_smoke")
    args = parser.parse_args()
    name = args.database
    owner, app = f"{name}_owner", f"{name}_app"
    passwords = {role: secrets.token_hex(16) for role in (owner, app)}
    work = Path(tempfile.mkdtemp(prefix="irtraining-smoke-"))
    (work / "home").mkdir()
    (work / "logs").mkdir()
    redis = None
    deploy = None
    try:
        step(f"Database {name}, roles {owner} and {app}, Redis, the demo PKI")
        drop_everything(args.postgres, name, owner, app)
        admin_sql(args.postgres, [
            f"CREATE ROLE {owner} LOGIN CREATEDB PASSWORD '{passwords[owner]}'",
            f"CREATE ROLE {app} LOGIN PASSWORD '{passwords[app]}'",
            f"CREATE DATABASE {name} OWNER {owner} ENCODING 'UTF8' TEMPLATE template0",
        ])  # fmt: skip
        admin_sql(
            args.postgres,
            [f"ALTER SCHEMA public OWNER TO {owner}", "REVOKE CREATE ON SCHEMA public FROM PUBLIC"],
            database=name,
        )
        redis_port = free_port()
        redis = subprocess_start(
            [shutil.which("redis-server") or "redis-server", "--port", str(redis_port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(work)],
            work / "logs" / "redis.log",
        )  # fmt: skip
        development = {k: v for k, v in os.environ.items() if k != "DJANGO_ENV"}
        pki = work / "pki"
        subprocess.run(  # nosec B603
            [str(VENV_BIN / "python"), "manage.py", "demo_pki", "--out", str(pki)],
            cwd=PROJECT, env=development, check=True, capture_output=True,
        )  # fmt: skip
        os.environ.pop("DJANGO_ENV", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "irtraining.settings"
        import django

        django.setup()
        urls = {
            "owner": url_as(args.postgres, owner, passwords[owner], name),
            "app": url_as(args.postgres, app, passwords[app], name),
            "app_role": app,
            "redis": f"redis://127.0.0.1:{redis_port}/0",
        }
        env = production_environment(
            work, urls, pki, serve_timestamp_authority(pki), serve_mail_relay()
        )
        deploy = Deployment(env, work / "logs")
        smoke(deploy)
    except (SmokeFailure, Exception) as failure:  # noqa: BLE001 - say what failed, then clean up
        traceback.print_exc()
        if deploy is not None:
            for process_name, _ in deploy.processes:
                print(
                    f"\n----- {process_name} log (tail) -----\n{deploy.log(process_name)[-3000:]}"
                )
        print(f"\nDEPLOY SMOKE TEST FAILED: {failure}")
        return 1
    finally:
        if deploy is not None:
            deploy.stop_all()
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        drop_everything(args.postgres, name, owner, app)
        shutil.rmtree(work, ignore_errors=True)
        # What the image collects at build time; a checkout needs none (development serves static/).
        shutil.rmtree(PROJECT / "staticfiles", ignore_errors=True)
    step("Deploy smoke test passed")
    return 0


def subprocess_start(command: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # nosec B603
        command, stdout=log.open("ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )


def drop_everything(postgres: str, name: str, owner: str, app: str) -> None:
    admin_sql(postgres, [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
    for role in (app, owner):
        admin_sql(postgres, [f"DROP ROLE IF EXISTS {role}"])


if __name__ == "__main__":
    sys.exit(main())
