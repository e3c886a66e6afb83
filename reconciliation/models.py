"""Evidence reconciliation (issue 16, SPEC 8a): a hospital's procedure list, matched against the
logbook, and the quarterly audit sample.

No accession number is ever stored here: a list entry keeps only HMAC-SHA256 digests of it under
its organisation's key (``privacy.accession``). The file itself is never kept.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, Site
from caselogs import choices as c
from privacy.identifiers import reject_patient_identifiers


class ListRole(models.TextChoices):
    """An operator's role on a list entry, in the logbook's words where they agree."""

    PRIMARY_OPERATOR = "primary_operator", "Primary operator"
    ASSISTANT = "assistant", "Assistant"
    OBSERVER = "observer", "Observer"
    SUPERVISOR = "supervisor", "Supervising consultant"


class ProcedureList(models.Model):
    """One upload: the angio-suite or RIS list for a site and a period."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField("first day")
    period_end = models.DateField("last day")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    entry_count = models.PositiveIntegerField(default=0)
    file_format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["site", "period_start", "period_end"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="procedure_list_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return (
            f"Procedure list {self.pk} ({self.period_start:%d %b %Y} to {self.period_end:%d %b %Y})"
        )


class ListEntry(models.Model):
    """One procedure on the list. The accession number is kept only as digests."""

    # Indexed by the constraint below (its first column): no index of its own.
    procedure_list = models.ForeignKey(
        ProcedureList, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    row = models.PositiveIntegerField(help_text="The row of the file it came from.")
    performed_on = models.DateField()
    accession_key = models.CharField(max_length=64)
    accession_key_previous = models.CharField(max_length=64, blank=True)
    procedure_code = models.CharField(
        max_length=40, blank=True, validators=[reject_patient_identifiers]
    )

    class Meta:
        ordering = ["performed_on", "pk"]
        # No index of its own on the digest: matching compares digests in memory, and the
        # constraint's index serves a lookup within a list.
        constraints = [
            models.UniqueConstraint(
                fields=["procedure_list", "accession_key"], name="list_entry_accession_once"
            )
        ]

    def __str__(self) -> str:
        return f"List entry {self.pk} ({self.performed_on:%d %b %Y})"


class ListOperator(models.Model):
    """An operator named on an entry, by GMC number, and the answer of a trainee who holds it
    when the entry is not in their logbook ("not involved")."""

    class Response(models.TextChoices):
        NONE = "", "No answer yet"
        NOT_INVOLVED = "not_involved", "Not involved"

    entry = models.ForeignKey(
        ListEntry, on_delete=models.CASCADE, related_name="operators", db_index=False
    )  # indexed by the constraint below (its first column)
    # Matched on at every run, so a trainee whose GMC number is recorded later still matches.
    gmc_number = models.CharField(max_length=7)
    role = models.CharField(max_length=20, choices=ListRole.choices)
    response = models.CharField(max_length=20, choices=Response.choices, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["gmc_number", "response"])]
        constraints = [
            models.UniqueConstraint(fields=["entry", "gmc_number"], name="list_operator_once")
        ]

    def __str__(self) -> str:
        return f"Operator {self.gmc_number} on entry {self.entry_id}"


class MatchState(models.TextChoices):
    MATCHED = "matched", "Matched"
    PROBABLE = "probable", "Probable match"
    NOT_ON_LIST = "not_on_list", "Not on the list"
    # Not stored: a case with no reconciliation row has had no list cover it.
    NO_LIST = "no_list", "No list uploaded yet"


class CaseReconciliation(models.Model):
    """A case's state against the lists that cover its site and date. Derived by the matching run
    (``reconciliation.matching``), which rewrites every row in its scope; never edited."""

    case = models.OneToOneField(
        "caselogs.Case", on_delete=models.CASCADE, primary_key=True, related_name="reconciliation"
    )
    state = models.CharField(max_length=20, choices=MatchState.choices)
    operator = models.OneToOneField(
        ListOperator, null=True, blank=True, on_delete=models.SET_NULL, related_name="match"
    )
    reconciled_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Case {self.case_id}: {self.get_state_display()}"


class AuditSample(models.Model):
    """A quarter's random sample of verified cases at an organisation, reproducible from its seed:
    ``reconciliation.sample.sample_case_ids`` with the recorded seed, share and minimum gives the
    same cases from the same verified cases."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    seed = models.BigIntegerField()
    percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    minimum_per_trainee = models.PositiveSmallIntegerField()
    population = models.PositiveIntegerField(
        default=0, help_text="Verified cases the sample was drawn from."
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "quarter"], name="one_audit_sample_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"Audit sample {self.year} Q{self.quarter}"


class SampledCase(models.Model):
    """A case drawn into a sample, and what the training lead found in the hospital record."""

    class Confirmed(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed by the hospital record"
        NOT_CONFIRMED = "not_confirmed", "Not confirmed"

    class Outcome(models.TextChoices):
        AGREES = "agrees", "Agrees with the logbook"
        DIFFERS = "differs", "Differs from the logbook"
        NOT_RECORDED = "not_recorded", "Not recorded in the hospital record"

    sample = models.ForeignKey(AuditSample, on_delete=models.CASCADE, related_name="cases")
    case = models.ForeignKey("caselogs.Case", on_delete=models.PROTECT, related_name="+")
    confirmed = models.CharField(max_length=20, choices=Confirmed.choices, blank=True)
    role = models.CharField(
        "trainee's role in the hospital record",
        max_length=20,
        choices=c.TraineeRole.choices,
        blank=True,
    )
    outcome = models.CharField(
        "outcome in the hospital record", max_length=20, choices=Outcome.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case__trainee_id", "case_id"]
        constraints = [models.UniqueConstraint(fields=["sample", "case"], name="case_sampled_once")]

    def __str__(self) -> str:
        return f"Case {self.case_id} in sample {self.sample_id}"
