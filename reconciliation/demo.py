"""The demo's procedure list and audit sample (issue 16): the training centre's angio-suite list for
the last six months, uploaded by its training lead through the real import, with a realistic mix:
about 85% of the cases it covers matched on the accession number, some probable (no number given),
a few not on the list, and a few list entries naming the demo trainee that are not logged. Then
last quarter's audit sample, with findings recorded for some of its cases.

Accession numbers are made up from the case reference (``caselogs.demo.demo_accession_number``):
the trainee gave them when logging; the list names the same ones. Nothing here is a real number.
"""

import csv
import io
import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.demo import CENTRE
from accounts.models import Organisation, Site, User
from caselogs.demo import TRAINEE_EMAIL, demo_accession_number
from caselogs.models import Case

from .importer import COLUMNS
from .models import AuditSample, ProcedureList, SampledCase
from .sample import quarter_of
from .services import audit_sample_draw, procedure_list_import, sampled_case_record

TRAINING_LEAD_EMAIL = "training.lead@riverside.example"
PERIOD_DAYS = 180
NOT_LOGGED = 4


def _rows(site: Site, start: date, end: date, rng: random.Random) -> list[list[str]]:
    rows = []
    cases = (
        Case.objects.filter(site=site, performed_on__range=(start, end))
        .select_related("trainee", "supervisor")
        .order_by("performed_on", "pk")
    )
    for n, case in enumerate(cases):
        day = case.performed_on
        if case.accession_key:
            if rng.random() < 0.03:
                continue  # the list missed it: "not on the list"
            accession = demo_accession_number(case.reference)
            if rng.random() < 0.1 and start < day < end:
                day += timedelta(days=rng.choice([-1, 1]))  # a night case dated the other side
        else:
            if rng.random() < 0.2:
                continue
            accession = f"EV-L{n:04d}"  # the trainee gave none: a probable match at best
        code = "MT01" if case.procedure == "mt" else "ANG1"
        role = "primary operator" if case.trainee_role == "primary_operator" else case.trainee_role
        rows.append([day.isoformat(), accession, code, case.trainee.gmc_number, role])
        rows.append([day.isoformat(), accession, code, case.supervisor.gmc_number, "supervisor"])
    trainee = User.objects.get(email=TRAINEE_EMAIL)
    supervisor_gmc = rows[1][3] if len(rows) > 1 else ""
    for n in range(NOT_LOGGED):
        day = end - timedelta(days=9 + 23 * n)
        accession = f"EV-N{n:03d}"
        rows.append([day.isoformat(), accession, "MT01", trainee.gmc_number, "primary operator"])
        if supervisor_gmc:
            rows.append([day.isoformat(), accession, "MT01", supervisor_gmc, "supervisor"])
    return rows


def seed_reconciliation() -> dict[str, int]:
    """The centre's list and last quarter's sample; nothing when a list already exists."""
    centre = Organisation.objects.get(name=CENTRE)
    if ProcedureList.objects.filter(organisation=centre).exists():
        return {}
    site = Site.objects.filter(organisation=centre).order_by("pk").first()
    lead = User.objects.get(email=TRAINING_LEAD_EMAIL)
    if site is None:
        return {}
    end = timezone.localdate() - timedelta(days=1)
    start = end - timedelta(days=PERIOD_DAYS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(_rows(site, start, end, random.Random(16)))
    outcome = procedure_list_import(
        user=lead,
        site=site,
        period_start=start,
        period_end=end,
        upload=SimpleUploadedFile("riverside-angio-list.csv", out.getvalue().encode()),
    )
    assert not outcome.problems and outcome.counts is not None, outcome.problems[:3]
    figures = outcome.counts.as_dict()

    year, quarter = quarter_of(timezone.localdate())
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    if not AuditSample.objects.filter(organisation=centre, year=year, quarter=quarter).exists():
        sample = audit_sample_draw(
            organisation=centre, year=year, quarter=quarter, user=lead, seed=20260401
        )
        for sampled in list(sample.cases.select_related("case"))[:4]:
            sampled_case_record(
                user=lead,
                sampled=sampled,
                confirmed=SampledCase.Confirmed.CONFIRMED,
                role=sampled.case.trainee_role,
                outcome=SampledCase.Outcome.AGREES,
            )
        figures["sampled"] = sample.cases.count()
    return figures
