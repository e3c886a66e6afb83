"""Run mutants one at a time against chosen tests, outside mutmut's own runner (docs/testing.md).

`make mutants` runs on SQLite, so it cannot decide a mutant in code only PostgreSQL reaches
(``governance.indicators._in_postgres``). This runs such mutants in the copy `make mutants` left
in ``mutants/``, each in its own pytest process with ``MUTANT_UNDER_TEST`` naming it, on whatever
database ``DATABASE_URL`` names (``--reuse-db`` keeps the test database between runs), and prints
one line per mutant as ``mutmut results`` does, so ``tests/mutation_score.py`` can read it:

    .venv/bin/python tests/mutation_one_by_one.py 'governance.indicators.x__in_postgres*' \\
        -- tests/governance/test_indicators.py tests/governance/test_audit_report.py
"""

import fnmatch
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"


def mutant_names(patterns: list[str]) -> list[str]:
    listed = subprocess.run(
        [str(ROOT / ".venv/bin/mutmut"), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = [line.strip().split(":")[0] for line in listed.splitlines() if ": " in line]
    return [name for name in names if any(fnmatch.fnmatch(name, p) for p in patterns)]


def outcome(name: str, tests: list[str]) -> str:
    """``killed`` when a test fails with the mutant in place, ``survived`` when all pass."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "--reuse-db", *tests],
        cwd=MUTANTS,
        env={**os.environ, "MUTANT_UNDER_TEST": name},
        capture_output=True,
        text=True,
    )
    # pytest's exit codes: 0 all passed, 1 a test failed; anything else is a broken run.
    return {0: "survived", 1: "killed"}.get(result.returncode, f"error {result.returncode}")


def main(argv: list[str]) -> None:
    if "--" not in argv or not MUTANTS.is_dir():
        raise SystemExit(__doc__)
    split = argv.index("--")
    patterns, tests = argv[:split], argv[split + 1 :]
    # The tests as they are now, not as the last `make mutants` copied them (the mutated modules
    # are still that run's).
    shutil.copytree(ROOT / "tests", MUTANTS / "tests", dirs_exist_ok=True)
    clean = outcome("", tests)
    if clean != "survived":
        raise SystemExit(f"The tests do not pass without a mutant ({clean}): nothing to measure.")
    for name in mutant_names(patterns):
        print(f"    {name}: {outcome(name, tests)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
