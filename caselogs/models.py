"""The logbook: cases, their verification by the supervisor who was there, activities and
assessments. No patient identifiers, ever: age not date of birth, minutes between events not clock
times, and the trainee's own case reference. Free text is checked by ``identifiers``."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from accounts.models import Site
from privacy.identifiers import reject_patient_identifiers

from . import choices as c

# Longest plausible interval for each timing field, in minutes, with the reason shown when a
# value is refused. Beyond these a value is almost certainly a typing error (hours for minutes).
INTERVAL_LIMITS = {
    "onset_to_arrival_minutes": (24 * 60, "more than 24 hours from onset to arrival"),
    "door_in_door_out_minutes": (8 * 60, "more than 8 hours at the referring hospital"),
    "door_to_imaging_minutes": (6 * 60, "more than 6 hours from arrival to imaging"),
    "door_to_puncture_minutes": (12 * 60, "more than 12 hours from arrival to groin puncture"),
    "puncture_to_reperfusion_minutes": (6 * 60, "more than 6 hours from puncture to reperfusion"),
    "procedure_minutes": (8 * 60, "a procedure longer than 8 hours"),
}


def _interval_field(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True, help_text="Minutes.")


def _score(label: str, low: int, high: int, **kwargs: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
        **kwargs,
    )


class Case(models.Model):
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases"
    )
    agreement = models.ForeignKey(
        "agreements.TrainingAgreement", on_delete=models.PROTECT, related_name="cases"
    )
    reference = models.CharField(
        "your case reference",
        max_length=40,
        validators=[reject_patient_identifiers],
        help_text="Your own reference for this case. Never a hospital or NHS number.",
    )

    # Quick entry
    performed_on = models.DateField("date")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    out_of_hours = models.BooleanField("out of hours", default=False)
    procedure = models.CharField(max_length=30, choices=c.Procedure.choices)
    trainee_role = models.CharField("your role", max_length=20, choices=c.TraineeRole.choices)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_cases"
    )
    supervision_mode = models.CharField(max_length=20, choices=c.SupervisionMode.choices)
    final_etici = models.CharField("final eTICI", max_length=4, choices=c.ETICI.choices, blank=True)
    passes = _score("number of passes", 0, 20)
    any_complication = models.BooleanField("any complication", default=False)
    # The angio suite's accession number, if the trainee gave it: only its HMAC under the site's
    # organisation's key (privacy.accession), never the number. Reconciliation matches on it.
    accession_key = models.CharField(
        max_length=64, blank=True, default="", db_default="", editable=False
    )

    # Full details: patient (no identifiers)
    age = _score("age (years)", 16, 110)
    sex = models.CharField(max_length=20, choices=c.Sex.choices, blank=True)
    pre_stroke_mrs = _score("pre-stroke mRS", 0, 5)
    nihss_baseline = _score("NIHSS at baseline", 0, 42)
    aspects = _score("ASPECTS", 0, 10)
    aspects_modality = models.CharField(
        "ASPECTS on", max_length=5, choices=c.AspectsModality.choices, blank=True
    )
    imaging = models.JSONField("imaging used", default=list, blank=True)
    occlusion_site = models.CharField(max_length=20, choices=c.OcclusionSite.choices, blank=True)
    occlusion_side = models.CharField(max_length=10, choices=c.Side.choices, blank=True)
    thrombolysis = models.CharField(
        "IV thrombolysis", max_length=20, choices=c.Thrombolysis.choices, blank=True
    )
    admission = models.CharField(max_length=20, choices=c.Admission.choices, blank=True)
    onset_type = models.CharField(max_length=20, choices=c.OnsetType.choices, blank=True)

    # Intervals, in minutes between events (never clock times)
    onset_to_arrival_minutes = _interval_field("onset to arrival")
    door_in_door_out_minutes = _interval_field("door-in-door-out (transfers)")
    door_to_imaging_minutes = _interval_field("door to imaging")
    door_to_puncture_minutes = _interval_field("door to groin puncture")
    puncture_to_reperfusion_minutes = _interval_field("puncture to reperfusion")
    procedure_minutes = _interval_field("procedure length")

    # Procedure
    anaesthesia = models.CharField(max_length=20, choices=c.Anaesthesia.choices, blank=True)
    access = models.CharField(max_length=10, choices=c.Access.choices, blank=True)
    technique = models.CharField(max_length=20, choices=c.Technique.choices, blank=True)
    balloon_guide = models.BooleanField("balloon guide catheter", null=True, blank=True)
    first_pass_etici = models.CharField(
        "eTICI after the first pass", max_length=4, choices=c.ETICI.choices, blank=True
    )
    rescue_therapy = models.BooleanField(
        "rescue therapy (stenting, angioplasty or intra-arterial lysis)", null=True, blank=True
    )
    aborted_reason = models.TextField(
        "reason, if aborted", blank=True, validators=[reject_patient_identifiers]
    )
    complications = models.JSONField(default=list, blank=True)

    # Outcome
    haemorrhage = models.CharField(
        "haemorrhage on follow-up imaging (Heidelberg)",
        max_length=5,
        choices=c.Heidelberg.choices,
        blank=True,
    )
    haemorrhage_symptomatic = models.BooleanField("symptomatic", null=True, blank=True)
    sich_definition = models.CharField(
        "sICH definition used", max_length=20, choices=c.SICHDefinition.choices, blank=True
    )
    nihss_24h = _score("NIHSS at 24 hours", 0, 42)
    died_in_hospital = models.BooleanField(null=True, blank=True)
    mrs_90_days = _score("mRS at 90 days", 0, 6)
    mrs_90_days_method = models.CharField(
        "how the 90-day mRS was obtained", max_length=20, choices=c.MRSMethod.choices, blank=True
    )
    ssnap_entered = models.BooleanField("entered in SSNAP", null=True, blank=True)
    reflection = models.TextField(blank=True, validators=[reject_patient_identifiers])

    # Verification
    status = FSMField(
        default=c.VerificationStatus.SUBMITTED,
        choices=c.VerificationStatus.choices,
        protected=False,
    )
    revision = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-performed_on", "-pk"]
        indexes = [
            models.Index(fields=["trainee", "status", "procedure"]),
            models.Index(fields=["supervisor", "status", "submitted_at"]),
            # Reconciliation reads a site's cases over a list's period.
            models.Index(fields=["site", "performed_on"], name="case_site_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "reference"], name="case_reference_unique_per_trainee"
            ),
            models.CheckConstraint(
                condition=~Q(haemorrhage_symptomatic=True) | ~Q(sich_definition=""),
                name="symptomatic_haemorrhage_names_its_definition",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_procedure_display()}, {self.performed_on:%d %b %Y})"

    # Derived, never typed (DOMAIN.md, scales)
    @property
    def mtici(self) -> str:
        return c.ETICI_TO_MTICI.get(self.final_etici, "")

    @property
    def successful_reperfusion(self) -> bool | None:
        return (self.final_etici in c.SUCCESSFUL_REPERFUSION) if self.final_etici else None

    @property
    def excellent_reperfusion(self) -> bool | None:
        return (self.final_etici in c.EXCELLENT_REPERFUSION) if self.final_etici else None

    @property
    def first_pass_effect(self) -> bool | None:
        """2c or 3 after a single pass, with no rescue therapy."""
        if not self.final_etici or self.passes is None:
            return None
        return (
            self.passes == 1
            and self.final_etici in c.EXCELLENT_REPERFUSION
            and not self.rescue_therapy
        )

    @property
    def waiting_days(self) -> int:
        return (timezone.now() - self.submitted_at).days

    @property
    def is_locked(self) -> bool:
        return self.status == c.VerificationStatus.VERIFIED

    @transition(
        field=status, source=c.VerificationStatus.SUBMITTED, target=c.VerificationStatus.VERIFIED
    )
    def verify(self) -> None:
        pass

    @transition(
        field=status, source=c.VerificationStatus.SUBMITTED, target=c.VerificationStatus.QUERIED
    )
    def query(self) -> None:
        pass

    @transition(
        field=status,
        source=[c.VerificationStatus.QUERIED, c.VerificationStatus.VERIFIED],
        target=c.VerificationStatus.SUBMITTED,
    )
    def resubmit(self) -> None:
        pass


class CaseVerification(models.Model):
    """One supervisor decision on one revision of a case, with their own view recorded blind."""

    class Decision(models.TextChoices):
        VERIFIED = "verified", "Verified"
        QUERIED = "queried", "Queried"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="verifications")
    revision = models.PositiveSmallIntegerField()
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    supervisor_view_of_role = models.CharField(max_length=20, choices=c.TraineeRole.choices)
    supervisor_view_of_mode = models.CharField(max_length=20, choices=c.SupervisionMode.choices)
    trainee_role_entered = models.CharField(max_length=20, choices=c.TraineeRole.choices)
    supervision_mode_entered = models.CharField(max_length=20, choices=c.SupervisionMode.choices)
    discordant = models.BooleanField(default=False)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True, validators=[reject_patient_identifiers])
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "revision", "decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "revision"],
                condition=Q(decision="verified"),
                name="one_verification_per_revision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_decision_display()} (revision {self.revision})"


class ActivityKind(models.TextChoices):
    MDT = "mdt", "MDT or stroke meeting"
    DIAGNOSTIC_LIST = "diagnostic_list", "Diagnostic list"
    INTERVENTIONAL_LIST = "interventional_list", "Interventional list"
    IMAGING_REVIEW = "imaging_review", "Imaging review session"
    SIMULATION = "simulation", "Simulation or cadaver session"
    TEACHING = "teaching", "Teaching"
    COURSE = "course", "Course"


class ConfirmationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    QUERIED = "queried", "Queried"


class Activity(models.Model):
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activities"
    )
    agreement = models.ForeignKey(
        "agreements.TrainingAgreement", on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(max_length=30, choices=ActivityKind.choices)
    happened_on = models.DateField("date")
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(24)],
    )
    notes = models.TextField(blank=True, validators=[reject_patient_identifiers])
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_activities"
    )
    status = models.CharField(
        max_length=20, choices=ConfirmationStatus.choices, default=ConfirmationStatus.SUBMITTED
    )
    supervisor_comment = models.TextField(blank=True, validators=[reject_patient_identifiers])
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.happened_on:%d %b %Y}"


class AssessmentKind(models.TextChoices):
    PROCEDURAL = "procedural", "Procedural assessment of an observed case (Rad-DOPS)"
    IMAGE_INTERPRETATION = "image_interpretation", "Image-interpretation assessment (mini-IPX)"
    CASE_BASED_DISCUSSION = "case_based_discussion", "Case-based discussion (CbD)"


class Entrustment(models.IntegerChoices):
    """RCR vocabulary (DOMAIN.md)."""

    OBSERVES = 1, "1: observes"
    DIRECT = 2, "2: performs with direct supervision"
    INDIRECT = 3, "3: performs with indirect supervision"
    INDEPENDENT = 4, "4: performs independently"


class Assessment(models.Model):
    """Recorded by the supervisor who assessed, so it is confirmed evidence when saved."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    agreement = models.ForeignKey(
        "agreements.TrainingAgreement", on_delete=models.PROTECT, related_name="assessments"
    )
    kind = models.CharField(max_length=30, choices=AssessmentKind.choices)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        help_text="The observed case, for a procedural assessment.",
    )
    assessed_on = models.DateField("date")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments_made"
    )
    entrustment = models.PositiveSmallIntegerField(choices=Entrustment.choices)
    strengths = models.TextField(validators=[reject_patient_identifiers])
    development_points = models.TextField(validators=[reject_patient_identifiers])
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="procedural") | Q(case__isnull=False),
                name="procedural_assessment_links_its_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.assessed_on:%d %b %Y}"
