"""The quarterly audit sample (issue 16): a random share of each trainee's verified cases at an
organisation's sites in a quarter, reproducible from its recorded seed.

The draw is a pure function of (seed, share, minimum, the verified cases): each trainee's cases are
taken in id order and ``random.Random(f"{seed}:{trainee id}")`` picks ``max(ceil(share x n),
min(minimum, n))`` of them. Anyone holding the recorded seed can draw it again and get the same
cases, as long as the same cases are verified (``AuditSample.population`` records how many were);
``tests/reconciliation`` proves it.
"""

import math
import random
import secrets
from collections import defaultdict
from datetime import date

from caselogs.selectors import verified_cases

SEED_BITS = 62  # fits a signed 64-bit column


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    start = date(year, first_month, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def new_seed() -> int:
    return secrets.randbits(SEED_BITS)


def sample_population(*, organisation_id: int, year: int, quarter: int) -> dict[int, list[int]]:
    """Each trainee's verified case ids at the organisation's sites in the quarter, in order."""
    start, end = quarter_bounds(year, quarter)
    rows = (
        verified_cases()
        .filter(site__organisation_id=organisation_id, performed_on__range=(start, end))
        .order_by("trainee_id", "pk")
        .values_list("trainee_id", "pk")
    )
    population: dict[int, list[int]] = defaultdict(list)
    for trainee_id, pk in rows:
        population[trainee_id].append(pk)
    return dict(population)


def sample_case_ids(
    population: dict[int, list[int]], *, seed: int, percent: int, minimum: int
) -> list[int]:
    chosen: list[int] = []
    for trainee_id in sorted(population):
        ids = sorted(population[trainee_id])
        size = max(math.ceil(len(ids) * percent / 100), min(minimum, len(ids)))
        chosen += sorted(random.Random(f"{seed}:{trainee_id}").sample(ids, size))
    return chosen
