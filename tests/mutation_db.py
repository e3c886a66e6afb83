"""For `make mutants` only (loaded with ``-p tests.mutation_db`` by ``[tool.mutmut]``).

mutmut runs the covering tests once per mutant, each run a new pytest session. Migrating a new
SQLite test database takes about 12 of a small run's 13 seconds, so every run starts instead from
its own copy of one database migrated before the run (``make mutants`` makes it, data migrations
included), and pytest-django's ``--reuse-db`` keeps it. A copy per process, because mutmut runs
mutants side by side and SQLite allows one writer.
"""

import os
import shutil
from pathlib import Path

import pytest

# `make mutants` makes it and names it here; mutmut runs the tests from inside mutants/.
TEMPLATE = Path(os.environ.get("MUTANTS_TEMPLATE_DB", Path.cwd() / "template.sqlite3"))


def _own_copy() -> Path:
    return TEMPLATE.with_name(f"{TEMPLATE.stem}-{os.getpid()}{TEMPLATE.suffix}")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    if not TEMPLATE.exists():
        raise pytest.UsageError(f"{TEMPLATE} is missing: run `make mutants`, which makes it first.")
    copy = _own_copy()
    shutil.copyfile(TEMPLATE, copy)
    # The same dict the open connection reads, so the change reaches it too.
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(copy)


def pytest_unconfigure(config: pytest.Config) -> None:
    _own_copy().unlink(missing_ok=True)
