"""Tests that read PDFs with poppler-utils skip, naming the package, on a machine without it
(tests/missing_tools.py); any other failure still fails."""

import subprocess
import sys

from django.conf import settings

PROBE = """
import subprocess

def test_reads_a_pdf():
    subprocess.run(["pdftoppm", "-v"], check=True, capture_output=True)

def test_fails_for_another_reason():
    assert False
"""


def test_a_missing_pdftotext_is_a_skip_that_says_what_to_install(tmp_path):
    (tmp_path / "test_probe.py").write_text(PROBE)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.missing_tools",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-c",
            "/dev/null",
            "--rootdir",
            str(tmp_path),
            "-rs",
            str(tmp_path / "test_probe.py"),
        ],
        cwd=settings.BASE_DIR,
        env={"PATH": "/nonexistent"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "needs pdftoppm (install Debian's poppler-utils package)" in result.stdout, result.stdout
    assert "1 failed, 1 skipped" in result.stdout, result.stdout
