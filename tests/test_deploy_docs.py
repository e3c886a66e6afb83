"""docs/deploy.md, the Dockerfile and docker-compose.yml run the same commands (issue 18).

The CI smoke test (ops/deploy_smoke.py) runs docs/deploy.md's commands without Docker; this keeps
the image and the compose file, which cannot run on these machines, saying the same.
"""

import json
import re
import shlex

import pytest
import yaml

from ops.deploy_docs import ROOT, deploy_commands

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _compose_command(service: str) -> str:
    command = COMPOSE[service]["command"]
    if isinstance(command, list):
        command = command[2] if command[:2] == ["sh", "-c"] else shlex.join(command)
    # Compose writes a literal $ as $$.
    return " ".join(command.replace("$$", "$").split())


def _dockerfile_cmd() -> str:
    text = (ROOT / "Dockerfile").read_text()
    match = re.search(r"^CMD (\[.*?\])\s*$", text, re.S | re.M)
    assert match, "the Dockerfile has no exec-form CMD"
    return shlex.join(json.loads(match.group(1).replace("\\\n", " ")))


@pytest.fixture(scope="module")
def docs():
    return deploy_commands()


def test_the_docs_mark_every_step_the_smoke_test_runs(docs):
    expected = {"migrate", "web", "worker", "beat", "create_admin", "probe-worker", "probe-beat"}
    assert expected | {"collectstatic"} <= set(docs), sorted(docs)
    assert all(docs[name] for name in docs), docs


def test_the_image_serves_with_the_documented_web_command(docs):
    [web] = docs["web"]
    assert _dockerfile_cmd() == web
    assert _compose_command("web") == web


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_compose_runs_the_documented_worker_and_beat(docs, service):
    [command] = docs[service]
    assert _compose_command(service) == command


def test_compose_migrates_and_grants_as_documented(docs):
    assert _compose_command("migrate") == " && ".join(docs["migrate"])


@pytest.mark.parametrize(("service", "probe"), [("worker", "probe-worker"), ("beat", "probe-beat")])
def test_compose_health_checks_are_the_documented_probes(docs, service, probe):
    [command] = docs[probe]
    test = COMPOSE[service]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    assert test[1].replace("$$", "$") == command


def test_the_makefile_starts_worker_and_beat_as_documented(docs):
    makefile = (ROOT / "Makefile").read_text()
    for service in ("worker", "beat"):
        [command] = docs[service]
        # The Makefile's beat uses the settings' scheduler (CELERY_BEAT_SCHEDULER), the same one.
        arguments = command.removeprefix("celery ").replace(
            " --scheduler=django_celery_beat.schedulers:DatabaseScheduler", ""
        )
        assert f"$(VENV)/bin/celery {arguments}" in makefile, service
