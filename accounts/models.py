"""People, organisations and the memberships that give people their roles.

Permissions come from memberships (a role at an organisation, for a period), never from a flag on
the user: the same consultant can be a supervisor at one trust and a training lead at another.
"""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

gmc_number_validator = RegexValidator(
    regex=r"^\d{7}$",
    message="A GMC reference number is exactly 7 digits, for example 1234567.",
)


class Role(models.TextChoices):
    TRAINEE = "trainee", "Trainee"
    SUPERVISOR = "supervisor", "Supervisor (INR)"
    TRAINING_LEAD = "training_lead", "Training lead"
    CLINICAL_DIRECTOR = "clinical_director", "Clinical director"
    MEDICAL_DIRECTOR = "medical_director", "Medical director"
    GOVERNANCE_LEAD = "governance_lead", "Governance lead"
    ADMINISTRATOR = "administrator", "Administrator"


def role_in_sentence(role: str) -> str:
    """A role's label inside a sentence: "a supervisor (INR)", never "a supervisor (inr)"."""
    label = Role(role).label
    return label[:1].lower() + label[1:]


# Roles whose holders sign or verify, so whose decisions must rest on a registered doctor.
ROLES_REQUIRING_GMC = frozenset({Role.SUPERVISOR, Role.MEDICAL_DIRECTOR})
# Every role signs something (a trainee signs their own agreement) and every signature asks for a
# second factor, so every role enrols and confirms each sign-in with one: one rule, no exceptions
# for a trainee to meet halfway through their first signature.
ROLES_REQUIRING_TWO_FACTOR = frozenset(Role)


if TYPE_CHECKING:
    # django-stubs makes the manager generic in its model; Django's class is not subscriptable.
    _UserManagerBase = BaseUserManager["User"]
else:
    _UserManagerBase = BaseUserManager


class UserManager(_UserManagerBase):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=200)
    gmc_number = models.CharField(
        "GMC number",
        max_length=7,
        blank=True,
        validators=[gmc_number_validator],
        help_text="7 digits. Required for supervisors and medical directors.",
    )
    is_active = models.BooleanField(default=True)
    # Only for the break-glass superuser made with createsuperuser; everyday access to the admin
    # comes from an administrator membership.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["gmc_number"],
                condition=~Q(gmc_number=""),
                name="user_gmc_number_unique_when_set",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def audit_reference(self) -> str:
        return self.full_name or f"user {self.pk}"

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        # The whole name: its first word is often a title ("Dr"), and a greeting by title alone
        # reads oddly.
        return self.full_name or self.email


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        HEALTH_BOARD = "health_board", "Health board"
        INDEPENDENT = "independent", "Independent provider"
        INTERNATIONAL = "international", "International centre"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NHS_TRUST)
    is_training_centre = models.BooleanField(
        "neuroscience training centre",
        default=False,
        help_text="A neuroscience centre whose INRs supervise thrombectomy training.",
    )
    country = models.CharField(max_length=100, default="United Kingdom")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A hospital belonging to an organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="site_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Directorate(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="directorates"
    )
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="directorate_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation}"


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day: date) -> "MembershipQuerySet":
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def active(self) -> "MembershipQuerySet":
        return self.active_on(timezone.localdate())


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    valid_from = models.DateField(default=timezone.localdate)
    valid_to = models.DateField(null=True, blank=True, help_text="Leave empty while it lasts.")

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_to_not_before_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.organisation}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.role in ROLES_REQUIRING_GMC and self.user_id and not self.user.gmc_number:
            errors["role"] = (
                f"A {role_in_sentence(self.role)} must be a registered doctor: "
                "record their GMC number on their account first."
            )
        if (
            self.directorate_id
            and self.organisation_id
            and self.directorate is not None
            and self.directorate.organisation_id != self.organisation_id
        ):
            errors["directorate"] = "This directorate belongs to another organisation."
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = "The end date cannot be before the start date."
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class FormSubmission(models.Model):  # noqa: DJ008  (a form's token, never shown to anyone)
    """The one-time token of a form that creates a record, claimed in the same transaction as the
    record: the same POST sent again (a double click, a re-post on reload, a retry on a slow
    network) finds its token taken and creates nothing."""

    token = models.UUIDField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
