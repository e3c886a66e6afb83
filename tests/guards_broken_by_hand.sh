#!/bin/bash
# Issue 19's first acceptance item, repeatable (docs/testing.md, "Guards broken by hand"): each
# of the five guards no test noticed before issue 19 is broken in its own scratch copy of HEAD,
# and the tests named for it are run on SQLite with no services. Every guard must fail at least
# one test; the script prints the failures, and exits 1 if any guard breaks unnoticed.
#
#   tests/guards_broken_by_hand.sh [SCRATCH]     # default /tmp/guards
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-/tmp/guards}
unnoticed=0

break_and_test() {  # name, file, text, replacement, test files...
  local name=$1 file=$2 text=$3 replacement=$4
  shift 4
  local dir=$scratch/$name
  rm -rf "$dir" && mkdir -p "$dir"
  git -C "$repo" archive HEAD | tar -x -C "$dir"
  ln -s "$repo/.venv" "$dir/.venv"
  "$repo/.venv/bin/python" - "$dir/$file" "$text" "$replacement" <<'PY' || exit 2
import pathlib, sys
path, text, replacement = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
source = path.read_text()
if text not in source:
    sys.exit(f"{path}: the guard's text was not found; update this script with the code")
path.write_text(source.replace(text, replacement, 1))
PY
  local output
  output=$(cd "$dir" && env -u DATABASE_URL -u REDIS_URL .venv/bin/python -m pytest -q \
    -p no:randomly -p no:cacheprovider "$@" 2>&1)
  echo "$output" | grep -E "^FAILED|[0-9]+ (passed|failed)" | sed "s/^/$name: /"
  if ! echo "$output" | grep -q "^FAILED"; then
    echo "$name: NO TEST FAILED"
    unnoticed=1
  fi
}

break_and_test chain-data audit/models.py '"data": self.data,' '' tests/test_audit_chain.py
break_and_test chain-verb audit/models.py '"verb": self.verb,' '' tests/test_audit_chain.py
break_and_test own-case caselogs/services.py 'if supervisor.pk == case.trainee_id:' 'if False:' \
  tests/caselogs/test_verification.py
break_and_test angiograms phases/criteria.py \
  '        _cases(scope)
        .filter(procedure=c.Procedure.DIAGNOSTIC_ANGIOGRAM)' \
  '        with_verified_view(  # every case of the agreement, verified or not
            verified_cases().model.objects.filter(
                agreement_id=scope.agreement_id, trainee_id=scope.trainee_id
            )
        )
        .filter(procedure=c.Procedure.DIAGNOSTIC_ANGIOGRAM)' \
  tests/phases/test_criteria.py
break_and_test cusum phases/cusum.py 'math.log((1 - self.alpha) / self.beta)' \
  'math.log((1 - self.beta) / self.alpha)' tests/phases/test_cusum.py
break_and_test double-submit accounts/services.py '    if token is None:
        return True' '    if True:
        return True' tests/faults/test_double_submit.py
exit $unnoticed
