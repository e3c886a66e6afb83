"""Matching the logbook against the hospital's procedure lists, within one organisation's key.

A case's state (``MatchState``):
- **matched**: the case's accession digest equals a list entry's (under the current or, during a
  rotation, the previous key), the entry's date is within one day of the case's, and the
  trainee's GMC number is among the entry's operators;
- **probable**: the case gives no accession number, and an entry on the same date at the same site
  names the trainee's GMC number;
- **not on the list**: a list covers the case's site and date, and neither applies;
- **no list uploaded yet**: no list covers it (no row is stored).

Each entry operator is taken by at most one case, accession matches first. An operator whose GMC
number is a trainee's and that no case took is **not logged**, until the trainee logs the case or
answers "not involved" (``selectors.not_logged_for_trainee``).

Digests are only ever compared within one organisation: a list's entries carry its organisation's
key, a case's digest the key of its site's organisation, and both sides of every comparison are
read for that one organisation, so the same number at two trusts never matches.

A run covers a scope (an organisation, a period, optionally some trainees) and rewrites every
``CaseReconciliation`` row in it from scratch, in a fixed number of queries whatever the size of
the list: the lists, the operators and the cases of the scope are read once each, matched in
memory, and the rows written with one delete and one bulk insert (one statement on PostgreSQL).
``CaseReconciliation`` is derived, not governed: it keeps no history, and the audit log records
each run with its counts.
"""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Role
from caselogs.models import Case

from .models import CaseReconciliation, ListOperator, MatchState, ProcedureList

ONE_DAY = timedelta(days=1)


@dataclass
class MatchCounts:
    matched: int = 0
    probable: int = 0
    not_on_list: int = 0
    not_logged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "matched": self.matched,
            "probable": self.probable,
            "not_on_list": self.not_on_list,
            "not_logged": self.not_logged,
        }


@dataclass
class _Operator:
    pk: int
    gmc: str
    performed_on: date
    site_id: int
    keys: tuple[str, ...]
    answered: bool


def _covered(lists: list[tuple[int, date, date]], site_id: int, day: date) -> bool:
    return any(site == site_id and start <= day <= end for site, start, end in lists)


@transaction.atomic
def reconcile(
    *,
    organisation_id: int,
    start: date,
    end: date,
    trainee_ids: Collection[int] | None = None,
) -> MatchCounts:
    """Match every case of the organisation's sites dated ``start`` to ``end`` (of these trainees,
    when given) against the entries dated a day either side, and rewrite their rows."""
    window = (start - ONE_DAY, end + ONE_DAY)
    lists = list(
        ProcedureList.objects.filter(
            organisation_id=organisation_id, period_start__lte=end, period_end__gte=start
        ).values_list("site_id", "period_start", "period_end")
    )
    cases = Case.objects.filter(
        site__organisation_id=organisation_id, performed_on__range=(start, end)
    )
    if trainee_ids is not None:
        cases = cases.filter(trainee_id__in=trainee_ids)
    case_rows = list(
        cases.order_by("performed_on", "pk").values_list(
            "pk", "trainee__gmc_number", "site_id", "performed_on", "accession_key"
        )
    )
    counts = MatchCounts()
    CaseReconciliation.objects.filter(case_id__in=[row[0] for row in case_rows]).delete()
    if not lists:
        return counts

    operators = ListOperator.objects.filter(
        entry__procedure_list__organisation_id=organisation_id,
        entry__performed_on__range=window,
    ).exclude(  # taken by a case outside this scope (the day either side)
        Q(match__isnull=False)
        & (Q(match__case__performed_on__lt=start) | Q(match__case__performed_on__gt=end))
    )
    if trainee_ids is not None:
        gmcs = {gmc for _, gmc, *_ in case_rows if gmc}
        gmcs |= set(
            Membership.objects.filter(user_id__in=trainee_ids)
            .exclude(user__gmc_number="")
            .values_list("user__gmc_number", flat=True)
        )
        operators = operators.filter(gmc_number__in=gmcs)
    by_key: dict[tuple[str, str], list[_Operator]] = defaultdict(list)
    by_day: dict[tuple[str, date, int], list[_Operator]] = defaultdict(list)
    every: list[_Operator] = []
    for pk, gmc, day, site_id, key, previous, response in operators.order_by("pk").values_list(
        "pk",
        "gmc_number",
        "entry__performed_on",
        "entry__procedure_list__site_id",
        "entry__accession_key",
        "entry__accession_key_previous",
        "response",
    ):
        operator = _Operator(
            pk, gmc, day, site_id, (key, previous) if previous else (key,), bool(response)
        )
        every.append(operator)
        for digest in operator.keys:
            by_key[(gmc, digest)].append(operator)
        by_day[(gmc, day, site_id)].append(operator)

    taken: set[int] = set()
    states: dict[int, tuple[str, int | None]] = {}
    for pk, gmc, _site_id, day, digest in case_rows:  # accession matches first
        if not (gmc and digest):
            continue
        candidates = [
            o
            for o in by_key.get((gmc, digest), [])
            if o.pk not in taken and abs((o.performed_on - day).days) <= 1
        ]
        if candidates:
            best = min(candidates, key=lambda o: (abs((o.performed_on - day).days), o.pk))
            taken.add(best.pk)
            states[pk] = (MatchState.MATCHED, best.pk)
    for pk, gmc, site_id, day, digest in case_rows:
        if pk in states or digest or not gmc:
            continue
        candidate = next(
            (o for o in by_day.get((gmc, day, site_id), []) if o.pk not in taken), None
        )
        if candidate is not None:
            taken.add(candidate.pk)
            states[pk] = (MatchState.PROBABLE, candidate.pk)

    now = timezone.now()
    rows = []
    for pk, _gmc, site_id, day, _digest in case_rows:
        state, operator_pk = states.get(pk, (MatchState.NOT_ON_LIST, None))
        if state == MatchState.NOT_ON_LIST and not _covered(lists, site_id, day):
            continue
        rows.append(
            CaseReconciliation(case_id=pk, state=state, operator_id=operator_pk, reconciled_at=now)
        )
        setattr(counts, state, getattr(counts, state) + 1)
    CaseReconciliation.objects.bulk_create(rows)

    trainee_gmcs = set(
        Membership.objects.filter(
            role=Role.TRAINEE, user__gmc_number__in={o.gmc for o in every}
        ).values_list("user__gmc_number", flat=True)
    )
    counts.not_logged = sum(
        1
        for o in every
        if o.gmc in trainee_gmcs
        and o.pk not in taken
        and not o.answered
        and start <= o.performed_on <= end
    )
    return counts
