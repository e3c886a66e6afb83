"""A test that needs a command-line tool the machine lacks is skipped, saying which tool and which
package gives it, rather than failing with FileNotFoundError: poppler-utils' pdftotext and pdftoppm
(PDFs read back as text and pictures). Like the Chromium rule in tests/browser/conftest.py, the
skip becomes a failure under CI_REQUIRE_ALL=1 (tests/conftest.py), where everything is installed.

A hook, not a marker: every test that runs these tools is covered wherever it lives, as soon as it
calls one, with no list to keep in step.
"""

import shutil

import pytest

TOOLS = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils"}


def missing_tool(error: BaseException | None) -> str | None:
    """The tool whose absence raised ``error`` (or an error it led to), if it is one of ours."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        name = getattr(error, "filename", None)
        if isinstance(error, FileNotFoundError) and name in TOOLS and shutil.which(name) is None:
            return name
        error = error.__cause__ or error.__context__
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    tool = missing_tool(call.excinfo.value) if report.failed and call.excinfo else None
    if tool:
        report.outcome = "skipped"
        path, line, _ = item.location
        report.longrepr = (
            str(item.path),
            (line or 0) + 1,
            f"Skipped: needs {tool} (install Debian's {TOOLS[tool]} package)",
        )
