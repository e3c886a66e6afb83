"""`make test` replays the same examples every run (a red run reproduces); `make fuzz` (FUZZ=1)
explores new ones, more of them, each run."""

import os
import subprocess
import sys

from django.conf import settings as django_settings
from hypothesis import settings

from ..conftest import EXPLORING

PROBE = (
    "import django; django.setup(); import hypothesis; from tests.fuzz.conftest import fuzz; "
    "print(hypothesis.settings.default.derandomize, fuzz(15).max_examples)"
)


def _profile(**env) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"FUZZ", "FUZZ_FACTOR", "CI"}}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "irtraining.settings", **env},
    ).stdout.split()


def test_this_run_follows_its_profile():
    assert settings.default.derandomize is not EXPLORING
    if not EXPLORING:
        assert settings.default.database is None  # nothing written into the checkout


def test_make_test_repeats_and_make_fuzz_explores():
    assert _profile() == ["True", "15"]
    assert _profile(CI="1") == ["True", "15"]
    assert _profile(FUZZ="1") == ["False", "150"]
    assert _profile(FUZZ="1", FUZZ_FACTOR="3") == ["False", "45"]
