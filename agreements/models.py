"""Training agreements: the formal agreement with the employer that the guidance asks for.

An agreement is versioned. A version is edited as a draft, frozen when submitted for signature,
active once every party has signed, and superseded by a signed amendment (a new version).
Criteria are data: copied from a template into each version, editable only while it is a draft.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from accounts.models import Directorate, Organisation
from audit.redaction import committed_text
from privacy.identifiers import reject_patient_identifiers


class Arrangement(models.TextChoices):
    FULL_TIME_ATTACHMENT = "full_time_attachment", "Full-time attachment to a neuroradiology unit"
    PART_TIME_ATTACHMENT = "part_time_attachment", "Part-time attachment"
    INTERVENTIONAL_LISTS = "interventional_lists", "Interventional lists with an INR"
    DIAGNOSTIC_LISTS = "diagnostic_lists", "Diagnostic lists with an INR"
    MT_IN_HOURS = "mt_in_hours", "Thrombectomy in hours"
    MT_OUT_OF_HOURS = "mt_out_of_hours", "Thrombectomy out of hours"


class CriterionKind(models.TextChoices):
    CASES = "cases", "Verified cases of a type, in a role"
    DIAGNOSTIC_ANGIOGRAMS = "diagnostic_angiograms", "Verified diagnostic cerebral angiograms"
    DISTINCT_VERIFIERS = "distinct_verifiers", "Distinct verifying INRs"
    ACTIVITIES = "activities", "Confirmed activities of a kind"
    ASSESSMENTS = "assessments", "Assessments at an entrustment level"
    COMPETENCIES = "competencies", "Competencies signed off"
    MINIMUM_WEEKS = "minimum_weeks", "Minimum weeks in the phase"
    REPERFUSION_RATE = "reperfusion_rate", "Successful reperfusion over recent cases"
    LEARNING_CURVE = "learning_curve", "Learning curve shows acceptable performance"
    RECONCILED_CASES = (
        "reconciled_cases",
        "Verified cases matched to the hospital's procedure list",
    )


class SourceStatus(models.TextChoices):
    PROVISIONAL = "provisional", "Provisional: to be confirmed locally"
    CONFIRMED = "confirmed", "Confirmed"


class CriterionFields(models.Model):
    """What a criterion says; shared by the template rows and the copies in each version."""

    phase = models.PositiveSmallIntegerField(
        choices=[(1, "To complete phase 1"), (2, "To complete phase 2 (independence)")]
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=30, choices=CriterionKind.choices)
    target = models.DecimalField(
        max_digits=6, decimal_places=1, help_text="The number required (a count, weeks or %)."
    )
    parameters = models.JSONField(default=dict, blank=True)
    description = models.CharField(max_length=300, validators=[reject_patient_identifiers])
    source = models.CharField(max_length=300, validators=[reject_patient_identifiers])
    source_status = models.CharField(
        max_length=20, choices=SourceStatus.choices, default=SourceStatus.PROVISIONAL
    )

    class Meta:
        abstract = True
        ordering = ["phase", "position"]

    def __str__(self) -> str:
        return self.description

    @property
    def required_display(self) -> str:
        if self.kind == CriterionKind.LEARNING_CURVE:
            return "Acceptable curve (crosses the lower limit)"
        if self.kind == CriterionKind.COMPETENCIES:
            signers = int((self.parameters or {}).get("signers_required", 1))
            return f"Signed off by {signers} INR{'s' if signers != 1 else ''}"
        figure = f"{self.target.normalize():f}"
        return f"{figure}%" if self.kind == CriterionKind.REPERFUSION_RATE else figure

    def as_content(self) -> dict:
        return {
            "phase": self.phase,
            "position": self.position,
            "kind": self.kind,
            "target": str(self.target),
            "parameters": self.parameters,
            "description": committed_text(self, "description"),
            "source": committed_text(self, "source"),
            "source_status": self.source_status,
        }


class CriteriaTemplate(models.Model):
    name = models.CharField(max_length=200, validators=[reject_patient_identifiers])
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True, validators=[reject_patient_identifiers])
    is_active = models.BooleanField(
        default=True, help_text="Active templates are offered for new agreements."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="template_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class CriterionTemplate(CriterionFields):
    template = models.ForeignKey(
        CriteriaTemplate, on_delete=models.CASCADE, related_name="criteria"
    )

    history = HistoricalRecords()

    class Meta(CriterionFields.Meta):
        pass


class TrainingAgreement(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_agreements"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Training agreement {self.reference}"

    def audit_reference(self) -> str:
        return self.reference


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_SIGNATURES = "awaiting_signatures", "Awaiting signatures"
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded"
    COMPLETED = "completed", "Completed"
    ENDED_EARLY = "ended_early", "Ended early"


# The versions whose terms govern training: the one signed and running, or the one whose training
# is complete (phase 3 is practised under it).
IN_FORCE_STATUSES = (VersionStatus.ACTIVE, VersionStatus.COMPLETED)
# The versions that end when an agreement ends early: a draft and the one in force. A version
# awaiting signatures ends only once it is signed or declined back to a draft: its parties are
# part-way through agreeing to it. agreements.selectors.agreement_end_early_refusal reads this.
END_EARLY_FROM = (VersionStatus.DRAFT, VersionStatus.ACTIVE)


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(
        TrainingAgreement, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField()
    status = FSMField(default=VersionStatus.DRAFT, choices=VersionStatus.choices, protected=False)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    # Parties
    employer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    employer_directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, related_name="+"
    )
    training_centre = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    centre_directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Duration and sessions
    start_date = models.DateField()
    expected_duration_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    review_dates = models.JSONField(default=list, blank=True)
    sessions_per_week = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(10)],
    )
    arrangements = models.JSONField(default=list)

    # Backfill and support
    backfill_trainee_service = models.TextField(validators=[reject_patient_identifiers])
    backfill_trainee_sessions = models.DecimalField(max_digits=3, decimal_places=1, default=0)
    backfill_centre = models.TextField(validators=[reject_patient_identifiers])
    backfill_centre_sessions = models.DecimalField(max_digits=3, decimal_places=1, default=0)

    # Statements the guidance requires
    job_plan_confirmed = models.BooleanField(default=False)
    service_protection_confirmed = models.BooleanField(default=False)

    # Independence and governance
    independence_local_terms = models.TextField(blank=True, validators=[reject_patient_identifiers])
    audit_frequency_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    # The volume an independent operator keeps up; continued-practice monitoring alerts below it.
    minimum_mt_per_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    governance_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    criteria_template = models.ForeignKey(
        CriteriaTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Lifecycle record
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True, validators=[reject_patient_identifiers])
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_reason = models.TextField(
        blank=True, help_text="Why the last submission was declined, for the author."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(status__in=["draft", "awaiting_signatures"]),
                name="one_open_version_per_agreement",
            ),
            models.CheckConstraint(
                condition=Q(expected_duration_months__gte=1), name="duration_at_least_a_month"
            ),
            models.CheckConstraint(
                condition=Q(sessions_per_week__gt=0), name="sessions_per_week_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:version", args=[self.agreement_id, self.number])

    def audit_reference(self) -> str:
        return f"{self.agreement.reference} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def centre_is_separate(self) -> bool:
        return self.training_centre_id != self.employer_id

    def review_dates_as_dates(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.review_dates]

    def arrangement_labels(self) -> list[str]:
        return [Arrangement(a).label for a in self.arrangements if a in Arrangement.values]

    @transition(field=status, source=VersionStatus.DRAFT, target=VersionStatus.AWAITING_SIGNATURES)
    def submit(self) -> None:
        pass

    @transition(field=status, source=VersionStatus.AWAITING_SIGNATURES, target=VersionStatus.DRAFT)
    def return_to_draft(self) -> None:
        pass

    @transition(field=status, source=VersionStatus.AWAITING_SIGNATURES, target=VersionStatus.ACTIVE)
    def activate(self) -> None:
        pass

    @transition(field=status, source=VersionStatus.ACTIVE, target=VersionStatus.SUPERSEDED)
    def supersede(self) -> None:
        pass

    @transition(field=status, source=VersionStatus.ACTIVE, target=VersionStatus.COMPLETED)
    def complete(self) -> None:
        pass

    @transition(field=status, source=VersionStatus.COMPLETED, target=VersionStatus.ACTIVE)
    def reopen(self) -> None:
        """Back in training after a return to an earlier phase."""

    @transition(field=status, source=list(END_EARLY_FROM), target=VersionStatus.ENDED_EARLY)
    def end_early(self) -> None:
        pass


class NamedSupervisor(models.Model):
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="supervisors"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_versions"
    )
    is_lead = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_lead", "supervisor__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "supervisor"], name="supervisor_once"),
            models.UniqueConstraint(
                fields=["version"], condition=Q(is_lead=True), name="one_lead_supervisor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor}{' (lead)' if self.is_lead else ''}"


class AgreementCriterion(CriterionFields):
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="criteria")

    history = HistoricalRecords()

    class Meta(CriterionFields.Meta):
        pass
