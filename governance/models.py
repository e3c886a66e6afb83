"""Quality standards as data: the figures audit reports and continued-practice reviews are judged
against, each with its direction, source and status, editable by administrators and versioned.

A `QualityStandardSet` is one version of the whole table; exactly one set is in force at a time.
A new version is a copy (`governance.standards.standard_set_new_version`), so the figures a past
report was judged against stay readable, and django-simple-history keeps every in-place edit.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agreements.models import SourceStatus
from privacy.identifiers import reject_patient_identifiers


class QualityStandardSet(models.Model):
    name = models.CharField(max_length=200, validators=[reject_patient_identifiers])
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True, validators=[reject_patient_identifiers])
    is_active = models.BooleanField(
        "in force",
        default=True,
        help_text="The set reports and reviews are judged against. Only one set is in force.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = "quality standards set"
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="standard_set_version_unique"),
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="one_standard_set_in_force",
                violation_error_message=(
                    "Another set of quality standards is in force. Take it out of force first, "
                    "or use the action “Copy as a new version”."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class StandardKind(models.TextChoices):
    QUALITY_INDICATOR = "quality_indicator", "Quality indicator"
    TIME_TARGET = "time_target", "Time target"


class Direction(models.TextChoices):
    AT_LEAST = "at_least", "At least"
    AT_MOST = "at_most", "At most"


class Measure(models.TextChoices):
    PROPORTION = "proportion", "Percentage of cases"
    COUNT = "count", "Count"
    MEDIAN = "median", "Median"
    PROPORTION_WITHIN = "proportion_within", "Percentage within a time limit"


class Unit(models.TextChoices):
    PERCENT = "%", "%"
    MINUTES = "minutes", "minutes"
    CASES_A_YEAR = "cases a year", "cases a year"


class QualityStandard(models.Model):
    standard_set = models.ForeignKey(
        QualityStandardSet, on_delete=models.CASCADE, related_name="standards"
    )
    key = models.SlugField(
        max_length=60,
        help_text="A stable name the code looks the standard up by; keep it across versions.",
    )
    label = models.CharField(max_length=200, validators=[reject_patient_identifiers])
    kind = models.CharField(max_length=20, choices=StandardKind.choices)
    measure = models.CharField(
        max_length=20,
        choices=Measure.choices,
        help_text="How the observed figure is taken: a percentage of cases, a count, the median "
        "interval, or the percentage of cases within a time limit.",
    )
    within_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="For “percentage within a time limit”: the limit in minutes.",
    )
    unit = models.CharField(max_length=20, choices=Unit.choices)
    direction = models.CharField(
        max_length=10,
        choices=Direction.choices,
        help_text="Which side of the value meets the standard (for report-only indicators: "
        "which way is better). The value itself meets it.",
    )
    value = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(99999)],
    )
    report_only = models.BooleanField(
        default=False,
        help_text="Reported beside the published figure, with no target to meet. "
        "Put the published figure in the notes.",
    )
    source = models.CharField(max_length=300, validators=[reject_patient_identifiers])
    status = models.CharField(
        max_length=20, choices=SourceStatus.choices, default=SourceStatus.PROVISIONAL
    )
    notes = models.TextField(blank=True, validators=[reject_patient_identifiers])
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["standard_set", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard_set", "key"], name="standard_key_once_per_set"
            ),
            models.CheckConstraint(
                condition=Q(report_only=True, value__isnull=True)
                | Q(report_only=False, value__isnull=False),
                name="standard_value_unless_report_only",
            ),
            models.CheckConstraint(
                condition=~Q(measure="proportion_within") | Q(within_minutes__isnull=False),
                name="standard_within_minutes_for_proportion_within",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.report_only and self.value is not None:
            errors["value"] = (
                "A report-only indicator has no value to meet: leave it empty and put the "
                "published figure in the notes."
            )
        elif not self.report_only and self.value is None:
            errors["value"] = "Give the value to meet, or tick “report only”."
        elif self.value is not None and self.unit == Unit.PERCENT and self.value > 100:
            errors["value"] = "A percentage cannot be more than 100."
        if self.measure == Measure.PROPORTION_WITHIN and self.within_minutes is None:
            errors["within_minutes"] = "Give the time limit, in minutes."
        if self.measure == Measure.PROPORTION_WITHIN and self.unit != Unit.PERCENT:
            errors["unit"] = "A percentage within a time limit is measured in %."
        if errors:
            raise ValidationError(errors)

    @property
    def target_display(self) -> str:
        """The standard in words: "at least 90%", "75% within 30 minutes", "report only"."""
        if self.report_only or self.value is None:
            return "Report only"
        figure = f"{self.value.normalize():f}"
        amount = f"{figure}%" if self.unit == Unit.PERCENT else f"{figure} {self.unit}"
        direction = Direction(self.direction).label.lower()
        if self.measure == Measure.PROPORTION_WITHIN:
            return f"{direction} {amount} within {self.within_minutes} minutes"
        if self.measure == Measure.MEDIAN:
            return f"median {direction} {amount}"
        return f"{direction} {amount}"


class AuditReport(models.Model):
    """A request for the audit report of a scope and period. The figures and the standards they
    were judged against are frozen here when it is requested; the PDF prints them."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="audit_report_period_ordered",
            )
        ]

    def __str__(self) -> str:
        scope = self.trainee or self.organisation or "the programme"
        return (
            f"Audit report: {scope}, {self.period_start.day} {self.period_start:%b %Y} to "
            f"{self.period_end.day} {self.period_end:%b %Y}"
        )
