"""Phases of training (1 direct supervision, 2 indirect supervision, 3 independent practice),
competency sign-offs, and the requests that move a trainee between phases.

A request freezes a snapshot of the criteria and of the evidence that met them; the sign-off is
bound to that snapshot, so later edits to cases cannot change what was judged.
"""

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from privacy.identifiers import reject_patient_identifiers


class Phase(models.IntegerChoices):
    DIRECT = 1, "Phase 1 (direct supervision)"
    INDIRECT = 2, "Phase 2 (indirect supervision)"
    INDEPENDENT = 3, "Phase 3 (independent practice)"


class Competency(models.TextChoices):
    STROKE_MANAGEMENT = "stroke_management", "Principles of stroke management"
    IMAGING_INTERPRETATION = (
        "imaging_interpretation",
        "Diagnostic imaging interpretation for thrombectomy",
    )
    MT_TECHNIQUE = "mt_technique", "Thrombectomy technique"
    COMPLICATION_MANAGEMENT = "complication_management", "Complication management"
    AFTERCARE = "aftercare", "Aftercare"


class PhaseRecord(models.Model):
    agreement = models.ForeignKey(
        "agreements.TrainingAgreement", on_delete=models.PROTECT, related_name="phase_records"
    )
    phase = models.PositiveSmallIntegerField(choices=Phase.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why the phase started (e.g. a return).")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(ended_on__isnull=True),
                name="one_current_phase_per_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} from {self.started_on.day} {self.started_on:%b %Y}"


class CompetencySignoff(models.Model):
    """A supervisor's attestation that the trainee has a competency. Criteria may need two INRs."""

    agreement = models.ForeignKey(
        "agreements.TrainingAgreement", on_delete=models.PROTECT, related_name="competency_signoffs"
    )
    competency = models.CharField(max_length=40, choices=Competency.choices)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    statement = models.TextField(blank=True, validators=[reject_patient_identifiers])
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["competency", "signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "competency", "supervisor"],
                name="competency_signed_once_per_inr",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_competency_display()}: {self.supervisor}"


class ProgressionRequest(models.Model):
    class Kind(models.TextChoices):
        ADVANCE = "advance", "Move to the next phase"
        INDEPENDENCE = "independence", "Independence (phase 2 to 3)"
        RETURN = "return", "Return to an earlier phase"
        ANNUAL_REVIEW = "annual_review", "Annual review of independent practice"

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting signatures"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        VOID = "void", "Void"

    agreement = models.ForeignKey(
        "agreements.TrainingAgreement",
        on_delete=models.PROTECT,
        related_name="progression_requests",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_phase = models.PositiveSmallIntegerField(choices=Phase.choices)
    to_phase = models.PositiveSmallIntegerField(choices=Phase.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True, validators=[reject_patient_identifiers])
    # The criteria and the evidence as judged at the time of the request; never recomputed.
    snapshot = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(status="open"),
                name="one_open_progression_request_per_agreement",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.agreement.reference}"

    def get_absolute_url(self) -> str:
        return reverse("phases:progress", args=[self.agreement_id])

    def audit_reference(self) -> str:
        return f"{self.get_kind_display()}: {self.agreement.reference}"

    @property
    def judged_on(self) -> date | None:
        """The day the criteria were judged, in local time (the snapshot keeps the UTC instant)."""
        judged_at = (self.snapshot or {}).get("judged_at")
        return timezone.localtime(datetime.fromisoformat(judged_at)).date() if judged_at else None
