"""Writes for reconciliation: importing a procedure list, a trainee's "not involved", the audit
sample and its findings. Each owns its transaction and writes its audit event; none of them ever
holds an accession number (only ``importer`` sees one, for as long as it takes to key it)."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Organisation, Site, User
from audit.services import audit_event_record
from caselogs.choices import TraineeRole
from caselogs.selectors import verified_cases

from .importer import ListProblem, ListReading, file_format, procedure_list_read
from .matching import MatchCounts, reconcile
from .models import AuditSample, ListEntry, ListOperator, ProcedureList, SampledCase
from .sample import new_seed, quarter_bounds, quarter_of, sample_case_ids, sample_population
from .selectors import list_organisation_ids_for_user, sample_record_organisation_ids_for_user


@dataclass
class ListImportOutcome:
    procedure_list: ProcedureList | None = None
    problems: list[ListProblem] = field(default_factory=list)
    rows_checked: int = 0
    counts: MatchCounts | None = None


def procedure_list_import(
    *, user: User, site: Site, period_start: date, period_end: date, upload: UploadedFile
) -> ListImportOutcome:
    """Check the whole file; save its entries, then match, only if no row has a problem."""
    if site.organisation_id not in list_organisation_ids_for_user(user):
        raise PermissionDenied
    if period_end < period_start:
        raise ValidationError({"period_end": "The last day comes before the first."})
    reading: ListReading = procedure_list_read(
        upload=upload, organisation_id=site.organisation_id, period=(period_start, period_end)
    )
    outcome = ListImportOutcome(problems=reading.problems, rows_checked=reading.rows_checked)
    if reading.problems:
        return outcome
    with transaction.atomic():
        procedure_list = ProcedureList.objects.create(
            organisation_id=site.organisation_id,
            site=site,
            period_start=period_start,
            period_end=period_end,
            uploaded_by=user,
            entry_count=len(reading.entries),
            file_format=file_format(upload),
        )
        entries = ListEntry.objects.bulk_create(
            ListEntry(
                procedure_list=procedure_list,
                row=read.row,
                performed_on=read.performed_on,
                accession_key=read.accession_key,
                accession_key_previous=read.accession_key_previous,
                procedure_code=read.procedure_code,
            )
            for read in reading.entries
        )
        ListOperator.objects.bulk_create(
            ListOperator(entry=entry, gmc_number=gmc, role=role)
            for entry, read in zip(entries, reading.entries, strict=True)
            for gmc, role in read.operators.items()
        )
        counts = reconcile(organisation_id=site.organisation_id, start=period_start, end=period_end)
        audit_event_record(
            actor=user,
            verb="procedure_list.imported",
            subject=procedure_list,
            summary=f"Procedure list {procedure_list.pk} imported by {user}: "
            f"{len(entries)} procedures at {site}, {period_start:%d %b %Y} to "
            f"{period_end:%d %b %Y}",
            data={
                "site": site.pk,
                "entries": len(entries),
                "format": procedure_list.file_format,
                **counts.as_dict(),
            },
        )
    outcome.procedure_list, outcome.counts = procedure_list, counts
    return outcome


def operator_not_involved(*, trainee: User, operator: ListOperator) -> ListOperator:
    """The trainee says they were not involved in a list entry that names them."""
    with transaction.atomic():
        operator = ListOperator.objects.select_for_update().get(pk=operator.pk)
        if not trainee.gmc_number or operator.gmc_number != trainee.gmc_number:
            raise PermissionDenied
        if hasattr(operator, "match"):
            raise ValidationError("This procedure is already in your logbook.")
        operator.response = ListOperator.Response.NOT_INVOLVED
        operator.responded_at = timezone.now()
        operator.save(update_fields=["response", "responded_at"])
        audit_event_record(
            actor=trainee,
            verb="procedure_list.not_involved",
            subject=operator,
            summary=f"{trainee} was not involved in list entry {operator.entry_id}",
            data={"entry": operator.entry_id},
        )
    return operator


def audit_sample_draw(
    *,
    organisation: Organisation,
    year: int,
    quarter: int,
    user: User | None,
    percent: int | None = None,
    minimum: int | None = None,
    seed: int | None = None,
) -> AuditSample:
    """Draw the quarter's sample (once per organisation and quarter) and record its seed.
    ``user`` is None when the quarterly task draws it."""
    if user is not None and organisation.pk not in sample_record_organisation_ids_for_user(user):
        raise PermissionDenied
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "A quarter is 1 to 4."})
    if quarter_bounds(year, quarter)[0] > timezone.localdate():
        raise ValidationError({"quarter": "This quarter has not started yet."})
    percent = settings.RECONCILIATION_SAMPLE_PERCENT if percent is None else percent
    minimum = settings.RECONCILIATION_SAMPLE_MINIMUM if minimum is None else minimum
    if not 1 <= percent <= 100:
        raise ValidationError({"percent": "Give a share from 1 to 100%."})
    if minimum < 0:
        raise ValidationError({"minimum": "Give a minimum of 0 or more."})
    seed = new_seed() if seed is None else seed
    with transaction.atomic():
        if AuditSample.objects.filter(
            organisation=organisation, year=year, quarter=quarter
        ).exists():
            raise ValidationError("This quarter's sample has already been drawn.")
        population = sample_population(organisation_id=organisation.pk, year=year, quarter=quarter)
        sample = AuditSample.objects.create(
            organisation=organisation,
            year=year,
            quarter=quarter,
            seed=seed,
            percent=percent,
            minimum_per_trainee=minimum,
            population=sum(len(ids) for ids in population.values()),
            drawn_by=user,
        )
        chosen = sample_case_ids(population, seed=seed, percent=percent, minimum=minimum)
        bulk_create_with_history(
            [SampledCase(sample=sample, case_id=pk) for pk in chosen],
            SampledCase,
            default_user=user,
        )
        audit_event_record(
            actor=user,
            verb="audit_sample.drawn",
            subject=sample,
            summary=f"Audit sample {sample.pk} for {year} Q{quarter} drawn: {len(chosen)} of "
            f"{sample.population} verified cases",
            data={
                "organisation": organisation.pk,
                "seed": seed,
                "percent": percent,
                "minimum": minimum,
                "population": sample.population,
                "cases": chosen,
            },
        )
    return sample


def sampled_case_record(
    *, user: User, sampled: SampledCase, confirmed: str, role: str, outcome: str
) -> SampledCase:
    """The training lead's findings from the hospital record for one sampled case."""
    errors = {}
    if confirmed not in SampledCase.Confirmed.values:
        errors["confirmed"] = "Say whether the hospital record confirms the case."
    if role and role not in TraineeRole.values:
        errors["role"] = "Choose the role the record gives."
    if outcome not in SampledCase.Outcome.values:
        errors["outcome"] = "Say whether the record's outcome agrees with the logbook."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        sampled = (
            SampledCase.objects.select_for_update().select_related("sample").get(pk=sampled.pk)
        )
        if sampled.sample.organisation_id not in sample_record_organisation_ids_for_user(user):
            raise PermissionDenied
        if sampled.case.trainee_id == user.pk:
            raise PermissionDenied  # nobody audits their own evidence
        sampled.confirmed, sampled.role, sampled.outcome = confirmed, role, outcome
        sampled.recorded_by, sampled.recorded_at = user, timezone.now()
        sampled.save()
        audit_event_record(
            actor=user,
            verb="audit_sample.recorded",
            subject=sampled,
            summary=f"Findings recorded for case {sampled.case_id} in audit sample "
            f"{sampled.sample_id}",
            data={"confirmed": confirmed, "role": role, "outcome": outcome},
        )
    return sampled


def quarterly_samples_draw(*, today: date | None = None) -> list[AuditSample]:
    """Draw last quarter's sample for every organisation whose sites had verified cases in it and
    that has none yet (beat, daily: a missed day draws it the next). Idempotent."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    start, end = quarter_bounds(year, quarter)
    drawn = set(
        AuditSample.objects.filter(year=year, quarter=quarter).values_list(
            "organisation_id", flat=True
        )
    )
    organisation_ids = set(
        verified_cases()
        .filter(performed_on__range=(start, end))
        .order_by()
        .values_list("site__organisation_id", flat=True)
        .distinct()
    )
    return [
        audit_sample_draw(organisation=organisation, year=year, quarter=quarter, user=None)
        for organisation in Organisation.objects.filter(pk__in=organisation_ids - drawn)
    ]
