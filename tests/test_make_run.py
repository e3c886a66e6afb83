"""What `make run` gives a developer: links that lead to the port it serves on, and an output
that reaches the sign-in table without 300 lines of e-mail or a broker warning first."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from agreements.criteria_defaults import default_template_ensure
from agreements.models import CriteriaTemplate, CriterionTemplate
from governance.models import QualityStandard, QualityStandardSet
from governance.standards import default_standards_ensure

ROOT = Path(settings.BASE_DIR)


def _development_env(**extra) -> dict:
    """The environment of a newcomer's shell: none of the variables CI or production set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SITE_URL",
            "PORT",
            "DJANGO_ENV",
            "REDIS_URL",
            "DATABASE_URL",
            "MAKEFLAGS",
            "MAKELEVEL",
            "EMAIL_URL",
        }
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "irtraining.settings", **extra}


PRINT_SITE_URL = (
    "import django; django.setup(); from django.conf import settings; "
    "print('SITE_URL=' + settings.SITE_URL)"
)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make (the README's entry point)")
def test_make_on_another_port_gives_links_to_that_port(tmp_path):
    # A stand-in for the virtualenv's Python: whatever the recipe asks, print the site URL the
    # settings would give that process. `-o` keeps make from reinstalling the virtualenv.
    probe = tmp_path / "python"
    probe.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "{PRINT_SITE_URL}"\n')
    probe.chmod(0o755)
    stamp = ".venv/.installed"
    for how in (["PORT=8123"], []):
        env = _development_env(**({} if how else {"PORT": "8123"}))
        result = subprocess.run(
            ["make", "--no-print-directory", "-o", stamp, "seed", f"PY={probe}", *how],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert "SITE_URL=http://127.0.0.1:8123" in result.stdout, result.stdout
    default = subprocess.run(
        [sys.executable, "-c", PRINT_SITE_URL],
        cwd=ROOT,
        env=_development_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "SITE_URL=http://127.0.0.1:8000" in default.stdout
    chosen = subprocess.run(
        [sys.executable, "-c", PRINT_SITE_URL],
        cwd=ROOT,
        capture_output=True,
        env=_development_env(PORT="8123", SITE_URL="https://irt.example.org"),
        text=True,
        check=True,
    )
    assert "SITE_URL=https://irt.example.org" in chosen.stdout


def test_queuing_a_task_in_process_gives_no_broker_warning():
    """kombu warned "No hostname was supplied" on every `make run`, though no broker is used."""
    script = (
        "import django; django.setup(); from irtraining.celery import ping; "
        "print(ping.apply_async(('x',)).get())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_development_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "'echo': 'x'" in result.stdout
    assert "hostname" not in result.stderr.lower(), result.stderr
    assert "WARNING" not in result.stderr, result.stderr


@pytest.mark.django_db(transaction=True)
def test_seed_demo_keeps_its_emails_in_files_and_says_where(
    settings, tmp_path, capsys, audit_log_truncatable
):
    """Transactional, as `make run` is: the e-mails are sent when each sign-off commits."""
    # An earlier transactional test emptied the tables the migrations filled.
    default_template_ensure(CriteriaTemplate, CriterionTemplate)
    default_standards_ensure(QualityStandardSet, QualityStandard)
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.DEMO_MAIL_DIR = tmp_path / "sent-mail"
    (tmp_path / "sent-mail").mkdir()
    (tmp_path / "sent-mail" / "stale.log").write_text("an earlier run's e-mails")
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    printed = capsys.readouterr().out + output.getvalue()
    assert "Content-Type:" not in printed and "Subject:" not in printed
    assert printed.lstrip().startswith("Demo data is ready.")
    files = list((tmp_path / "sent-mail").glob("*.log"))
    assert files and all(f.name != "stale.log" for f in files)
    sent = sum(f.read_text().count("\nSubject: ") for f in files)
    assert sent > 10 and "For your signature" in "".join(f.read_text() for f in files)
    assert f"The demo's {sent} e-mails were written to {tmp_path / 'sent-mail'}/" in printed
