"""``make bench``'s reconciliation figure (issue 16): a hospital procedure list of up to 10,000
entries, imported (read, keyed, saved) and matched against the logbook, and the matching run on
its own, each with its query count, beside the same at a tenth of the list: the counts must be
equal (they do not grow with the list).

The list is the busiest site's latest cases, as its angio suite would list them: 85% of them
given an accession number by the trainee and listed with it (matched), 10% listed without the
trainee giving one (probable), 5% missing from the list (not on the list), and 5% more entries
naming a trainee with no case (not logged). The accession numbers are "BENCH-" and the case id.
Everything is rolled back afterwards, so a kept bench database stays as seeded."""

import csv
import io
import time
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, Role, Site, User
from caselogs.models import Case
from privacy.accession import accession_digest
from reconciliation.importer import COLUMNS
from reconciliation.matching import reconcile
from reconciliation.services import procedure_list_import

LIST_ENTRIES = 10_000


class _RolledBack(Exception):
    pass


def _world(entries: int) -> tuple[Site, list[tuple[int, int, date, str]]]:
    """The busiest site and its latest ``entries`` cases (pk, trainee id, day, role)."""
    busiest = (
        Case.objects.values("site").annotate(n=Count("pk")).order_by("-n").values("site").first()
    )
    assert busiest is not None, "no cases (seed_scale)"
    site = Site.objects.select_related("organisation").get(pk=busiest["site"])
    cases = list(
        Case.objects.filter(site=site)
        .order_by("-performed_on", "-pk")
        .values_list("pk", "trainee_id", "performed_on", "trainee_role")[:entries]
    )
    return site, cases


def _gmc_numbers(trainee_ids: set[int]) -> dict[int, str]:
    """Each trainee's GMC number; seed_scale's trainees have none, so they are given one here
    (inside the rolled-back transaction): a list names operators by GMC number."""
    users = list(User.objects.filter(pk__in=trainee_ids))
    for user in users:
        if not user.gmc_number:
            user.gmc_number = f"7{user.pk:06d}"[-7:]
    User.objects.bulk_update(users, ["gmc_number"], batch_size=2000)
    return {user.pk: user.gmc_number for user in users}


def _csv(cases, gmc_of: dict[int, str], not_logged_gmc: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for n, (pk, trainee_id, day, role) in enumerate(cases):
        gmc = gmc_of[trainee_id]
        if n % 20 == 19:
            continue  # 5%: not on the list
        role = "primary operator" if role == "primary_operator" else role
        writer.writerow([day.isoformat(), f"BENCH-{pk}", "MT01", gmc, role])
        if n % 20 == 0:  # 5% more: a procedure the trainee did not log
            writer.writerow([day.isoformat(), f"BENCH-N{pk}", "MT01", not_logged_gmc, "assistant"])
    return out.getvalue().encode()


def _one(entries: int) -> dict:
    site, cases = _world(entries)
    start, end = min(c[2] for c in cases), max(c[2] for c in cases)
    lead = Membership.objects.filter(role=Role.ADMINISTRATOR).select_related("user").first()
    assert lead is not None, "no administrator (seed_scale)"
    figures: dict = {}
    try:
        with transaction.atomic():
            gmc_of = _gmc_numbers({trainee_id for _, trainee_id, *_ in cases})
            # Entries naming a trainee who logged nothing that day: the first trainee's number.
            upload = SimpleUploadedFile(
                "list.csv", _csv(cases, gmc_of, next(iter(gmc_of.values())))
            )
            # The trainees' accession numbers (85% of the cases), as if given when logging.
            keyed = [
                Case(pk=pk, accession_key=accession_digest(site.organisation_id, f"BENCH-{pk}"))
                for n, (pk, *_rest) in enumerate(cases)
                if n % 20 < 17
            ]
            Case.objects.bulk_update(keyed, ["accession_key"], batch_size=2000)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                outcome = procedure_list_import(
                    user=lead.user, site=site, period_start=start, period_end=end, upload=upload
                )
                figures["import_s"] = round(time.perf_counter() - started, 3)
            assert not outcome.problems, outcome.problems[:3]
            assert outcome.procedure_list is not None and outcome.counts is not None
            figures["import_queries"] = len(queries)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                counts = reconcile(organisation_id=site.organisation_id, start=start, end=end)
                figures["match_s"] = round(time.perf_counter() - started, 3)
            figures["match_queries"] = len(queries)
            figures["entries"] = outcome.procedure_list.entry_count
            figures["cases_in_period"] = Case.objects.filter(
                site__organisation_id=site.organisation_id, performed_on__range=(start, end)
            ).count()
            figures.update(counts.as_dict())
            raise _RolledBack
    except _RolledBack:
        pass
    return figures


def reconcile_figures() -> dict:
    full = _one(LIST_ENTRIES)
    tenth = _one(max(1, LIST_ENTRIES // 10))
    return {
        **full,
        "tenth_entries": tenth["entries"],
        "tenth_import_queries": tenth["import_queries"],
        "tenth_match_queries": tenth["match_queries"],
        "total_cases": Case.objects.count(),
    }
