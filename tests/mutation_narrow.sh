#!/bin/bash
# Mutation testing of one module against a narrow test selection (docs/testing.md, "Narrow
# runs"): `make mutants` with every test of the mutated apps is too slow to finish on a 2-core
# machine, because a survivor in a function nearly every page reaches runs hundreds of tests.
# This runs mutmut in a scratch copy of the committed tree whose [tool.mutmut] test selection is
# replaced by the files named here, and prints the scores. Survivors are then run one by one
# against wider files (tests/mutation_one_by_one.py, from the scratch copy) before anyone calls
# them equivalent.
#
#   tests/mutation_narrow.sh /tmp/mut-accounts 'accounts.selectors.*' \
#       tests/test_permissions.py tests/test_two_factor.py tests/test_request_caches.py
set -euo pipefail
scratch=$1; patterns=$2; shift 2
repo=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$scratch" && mkdir -p "$scratch"
git -C "$repo" archive HEAD | tar -x -C "$scratch"
cd "$scratch"
git init -q && git add -A && git -c user.email=mutants@localhost -c user.name=mutants commit -qm scratch
"$repo/.venv/bin/python" - "$@" <<'PY'
import pathlib, re, sys
path = pathlib.Path("pyproject.toml")
extra = ["-m", "not browser and not real_worker and not redis and not postgres"]
selection = ", ".join(f'"{arg}"' for arg in sys.argv[1:] + extra)
text = re.sub(r"pytest_add_cli_args_test_selection = \[.*?\n\]",
              f"pytest_add_cli_args_test_selection = [{selection}]", path.read_text(), flags=re.S)
path.write_text(text)
PY
ln -s "$repo/.venv" .venv
mkdir -p mutants
env -u REDIS_URL DATABASE_URL="sqlite:///$scratch/mutants/template.sqlite3" \
  .venv/bin/python manage.py migrate --noinput -v0
env -u DATABASE_URL -u REDIS_URL MUTANTS_TEMPLATE_DB="$scratch/mutants/template.sqlite3" \
  nice -n 10 .venv/bin/mutmut run --max-children "${MUTANTS_CHILDREN:-2}" $patterns || true
.venv/bin/mutmut results --all true > results.txt
.venv/bin/python tests/mutation_score.py < results.txt
