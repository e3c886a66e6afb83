"""`make mutants` ends with this: each mutated module's score, read from `mutmut results --all
true` on standard input (docs/testing.md). Timeouts count as killed: the mutant made a test hang,
which a test run reports as a failure."""

import re
import sys
from collections import Counter, defaultdict

KILLED = {"killed", "timeout", "caught by type check"}
# "privacy.identifiers.x__is_date_part__mutmut_3: survived" (a function) or
# "audit.models.xǁAuditEventǁdelete__mutmut_1: killed" (a method)
RESULT = re.compile(r"^\s*(?P<module>\S+?)\.x(?:_|ǁ)\S*: (?P<status>.+?)\s*$")


def scores(lines: list[str]) -> dict[str, Counter]:
    by_module: dict[str, Counter] = defaultdict(Counter)
    for line in lines:
        match = RESULT.match(line)
        if match:
            by_module[match["module"]][match["status"]] += 1
    return by_module


def main() -> None:
    by_module = scores(sys.stdin.readlines())
    print(f"{'module':26} {'killed':>7} {'total':>6} {'score':>7}  not killed")
    for module, statuses in sorted(by_module.items()):
        total = sum(statuses.values())
        killed = sum(statuses[status] for status in KILLED)
        rest = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()) if s not in KILLED)
        print(f"{module:26} {killed:7} {total:6} {100 * killed / total:6.1f}%  {rest}")


if __name__ == "__main__":
    main()
