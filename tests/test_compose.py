"""docker-compose.yml cannot run on these machines: this keeps it in step with the code.

The environment check scans irtraining/settings.py for every variable it reads, so a new setting
that production needs fails here until the compose file passes it in.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
SETTINGS_FILE = ROOT / "irtraining" / "settings.py"

APP_SERVICES = ("web", "worker", "beat")
SERVICES = (*APP_SERVICES, "db", "redis")

# env("NAME", ...), env.str("NAME", ...), env.db("NAME", ...), env.email_url("NAME", ...) and so on.
ENV_READ = re.compile(r"""\benv(?:\.[a-z_]+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")

# Read by the settings but deliberately left to their defaults in production.
NOT_NEEDED_IN_PRODUCTION = {
    # The demo PKI and its in-process TSA are for development and tests; production refuses them.
    "DOCUMENT_SEAL_DEMO_PKI_DIR",
    "DOCUMENT_SEAL_DEMO_TSA",
    # Tuning with a sane default (10 s for the timestamp authority to answer).
    "DOCUMENT_SEAL_TSA_TIMEOUT_SECONDS",
    # Read only outside production; production forces DEBUG off.
    "DJANGO_DEBUG",
    # Tuning with a sane default (INFO); an operator may add it when chasing a problem.
    "LOG_LEVEL",
    # Tuning with a sane default (60 s of persistent connections).
    "DATABASE_CONN_MAX_AGE",
    # The lockout period is policy set in the settings (30 minutes); the variable exists for tests
    # and for a trust that decides otherwise.
    "AXES_COOLOFF_MINUTES",
    # The default (one year) is the secure choice.
    "DJANGO_HSTS_SECONDS",
    # Preloading binds every subdomain of the trust's domain: the trust opts in, never the default.
    "DJANGO_HSTS_PRELOAD",
    # On by default behind the TLS proxy; only switched off to try production settings locally.
    "DJANGO_SECURE_SSL_REDIRECT",
    # Tuning with sane defaults (docs/deploy.md): a render may run 60 s; a pending PDF is queued
    # again 75 s after its render started; beat runs the sweeper every 30 s and the sign-off
    # e-mail sweep every 5 minutes.
    "DOCUMENTS_RENDER_TIME_LIMIT_SECONDS",
    "DOCUMENTS_SWEEP_AFTER_SECONDS",
    "DOCUMENTS_SWEEP_INTERVAL_SECONDS",
    "SIGNOFF_NOTIFY_SWEEP_SECONDS",
    # Development only: SITE_URL's default follows `make run`'s port; production requires SITE_URL.
    "PORT",
    # Where `manage.py verify_credential` caches status lists: an operator's tool, not the app's.
    "CREDENTIAL_STATUS_CACHE_DIR",
    # Development only: where seed_demo keeps its e-mails when e-mail is printed to the console.
    "DEMO_MAIL_DIR",
}


def settings_env_names() -> set[str]:
    return set(ENV_READ.findall(SETTINGS_FILE.read_text()))


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def test_the_scan_finds_the_settings_environment():
    # Guards the regex itself: if it stopped matching, every later check would pass vacuously.
    names = settings_env_names()
    for expected in ("DJANGO_ENV", "DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"):
        assert expected in names, f"the scan of settings.py missed {expected}: {sorted(names)}"
    # An exclusion for a variable the settings no longer read would hide nothing: drop it.
    assert names >= NOT_NEEDED_IN_PRODUCTION, NOT_NEEDED_IN_PRODUCTION - names


def test_all_five_services_exist(services):
    assert set(SERVICES) <= set(services), sorted(services)


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_healthcheck(services, name):
    healthcheck = services[name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable"), f"{name}'s healthcheck is disabled"
    test = healthcheck["test"]
    assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name}: {test!r}"


def test_app_services_share_one_environment(services):
    environments = [services[name]["environment"] for name in APP_SERVICES]
    assert isinstance(environments[0], dict), "use a mapping so the test can read it"
    assert environments[0] == environments[1] == environments[2]


def test_app_services_run_the_image_built_from_the_dockerfile(services):
    for name in APP_SERVICES:
        build = services[name].get("build")
        context = build.get("context") if isinstance(build, dict) else build
        assert context == ".", f"{name} is not built from the project's Dockerfile"
    assert len({services[name]["image"] for name in APP_SERVICES}) == 1


def test_environment_passes_every_setting_production_needs(services):
    environment = services["web"]["environment"]
    missing = settings_env_names() - NOT_NEEDED_IN_PRODUCTION - set(environment)
    assert not missing, f"settings.py reads, docker-compose.yml does not set: {sorted(missing)}"


def test_environment_sets_nothing_the_settings_do_not_read(services):
    # A misspelt name would otherwise be ignored silently and the default used in production.
    unknown = set(services["web"]["environment"]) - settings_env_names()
    assert not unknown, f"docker-compose.yml sets variables no setting reads: {sorted(unknown)}"


def test_environment_is_production_and_demands_a_secret(services):
    environment = services["web"]["environment"]
    assert environment["DJANGO_ENV"] == "production"
    # No default secret: compose refuses to start without one.
    assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert environment["REDIS_URL"].startswith("redis://redis:")
    assert "@db:5432/" in environment["DATABASE_URL"]


# source:target[:mode], where the source may be ${VARIABLE:-/default/path} (a colon inside).
_MOUNT = re.compile(r"^(\$\{[^}]*\}|[^:]+):([^:]+)(?::(ro|rw))?$")


def _mount(volume: str) -> tuple[str, str]:
    match = _MOUNT.match(volume)
    assert match, f"cannot read the volume {volume!r}"
    return match.group(1), match.group(2)


def test_named_volumes_are_declared_and_used(compose, services):
    declared = set(compose.get("volumes") or {})

    def named_mounts(service):
        mounts = {}
        for volume in services[service].get("volumes", []):
            source, target = _mount(volume)
            if not source.startswith((".", "/", "~", "$")):
                mounts[target] = source
        return mounts

    for service in services:
        undeclared = set(named_mounts(service).values()) - declared
        assert not undeclared, f"{service} mounts undeclared volumes {undeclared}"

    assert named_mounts("db").get("/var/lib/postgresql/data") in declared
    assert named_mounts("redis").get("/data") in declared
    private_media = services["web"]["environment"]["PRIVATE_MEDIA_ROOT"]
    # The web writes uploads and the worker writes PDFs: both must see the same volume.
    web_media = named_mounts("web").get(private_media)
    assert web_media in declared, f"web does not mount a named volume at {private_media}"
    assert named_mounts("worker").get(private_media) == web_media


def _command(service) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_worker_takes_the_documents_queue_and_recycles_children(services):
    command = _command(services["worker"])
    assert "celery -A irtraining worker" in command
    queues = re.search(r"(?:--queues[= ]|-Q ?)(\S+)", command)
    assert queues, command
    assert {"celery", "documents"} <= set(queues.group(1).split(",")), command
    assert re.search(r"--max-tasks-per-child[= ]\d+", command), command


def test_beat_uses_the_database_scheduler(services):
    command = _command(services["beat"])
    assert "celery -A irtraining beat" in command
    assert "django_celery_beat.schedulers:DatabaseScheduler" in command


def test_migrations_run_as_the_owner_and_grant_the_app_role_before_the_app(services):
    migrate = services["migrate"]
    command = _command(migrate)
    assert 'DATABASE_URL="$$OWNER_DATABASE_URL" python manage.py migrate --noinput' in command
    assert "grant_app_role" in command
    # `&&`: a failed migration grants nothing, and the app does not start.
    assert command.index("migrate --noinput") < command.index("&&") < command.index("grant_app")
    assert migrate["environment"]["OWNER_DATABASE_URL"].startswith("postgres://irtraining:")
    assert migrate["restart"] == "no", "a one-shot job must not be restarted once done"
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name


def test_the_app_connects_as_the_app_role_not_the_owner(services):
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://irtraining_app:")
    db = services["db"]
    assert db["environment"]["POSTGRES_USER"] == "irtraining"
    assert "./ops/postgres-init:/docker-entrypoint-initdb.d:ro" in db["volumes"]
    assert (ROOT / "ops" / "postgres-init" / "10-app-role.sh").is_file()


def test_backups_run_from_the_image_into_a_folder_outside_the_code(compose, services):
    backup = services["backup"]
    assert backup["image"] == services["web"]["image"]
    assert _command(backup) == "python ops/backup.py"
    # /app is read-only to the app user: the backups go to a mounted folder.
    assert backup["environment"]["BACKUP_DIR"] == "/backups"
    targets = {_mount(volume)[1]: volume for volume in backup["volumes"]}
    assert "/backups" in targets
    assert targets["/var/lib/irtraining/private-media"].endswith(":ro")
    assert "/home/app/irtraining-restores" in targets
    # Only when asked (docker compose run --rm backup), never with `up`.
    assert backup["profiles"] == ["tools"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "postgresql-client-15" in dockerfile, "pg_dump, pg_restore and psql are in the image"


def test_beat_answers_its_health_check(services):
    # Without remote control beat ignores `inspect ping`, and its health check would always fail.
    assert "--enable-remote-control" in _command(services["beat"])
    assert "celerybeat@" in " ".join(services["beat"]["healthcheck"]["test"])


def test_web_healthcheck_reads_the_health_endpoint(services):
    assert "/health/" in " ".join(services["web"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_database_and_broker(services, name):
    depends_on = services[name]["depends_on"]
    for dependency in ("db", "redis"):
        assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


def test_keys_and_backups_never_go_into_the_image():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for folder in ("seal-keys", "credential-keys", "demo-pki", "backups", "restored-media", ".env"):
        assert folder in ignored, f".dockerignore lets {folder} into the image"
