"""The logbook tells reconciliation when cases change (``caselogs.signals.cases_changed``, sent
after commit): each changed case is matched again, grouped by organisation and trainee so an import
of many cases is one run per trainee, not one per case."""

from collections import defaultdict
from datetime import date
from typing import Any

from caselogs.models import Case

from .matching import ONE_DAY, reconcile
from .models import ProcedureList


def cases_rematch(sender: Any, case_ids: list[int], **kwargs: Any) -> None:
    organisations = set(ProcedureList.objects.values_list("organisation_id", flat=True).distinct())
    if not organisations:
        return  # no list anywhere: every case is "no list uploaded yet"
    scopes: dict[tuple[int, int], list[date]] = defaultdict(list)
    for organisation_id, trainee_id, day in Case.objects.filter(pk__in=case_ids).values_list(
        "site__organisation_id", "trainee_id", "performed_on"
    ):
        if organisation_id in organisations:
            scopes[(organisation_id, trainee_id)].append(day)
    for (organisation_id, trainee_id), days in scopes.items():
        reconcile(
            organisation_id=organisation_id,
            start=min(days) - ONE_DAY,
            end=max(days) + ONE_DAY,
            trainee_ids=[trainee_id],
        )
