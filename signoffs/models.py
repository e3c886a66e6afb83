"""The one engine for every multi-party decision: a request about a subject, its steps, and the
signatures on them.

A request records the SHA-256 of its subject's canonical content when it is opened. Every
signature records the digest the signer saw and the hash of the signature before it, so a changed
subject voids the request, and an edited signature breaks the chain (``signoff_integrity_check``).
"""

import hashlib
import json
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from accounts.models import Organisation, Role
from audit.redaction import committed_text
from privacy.identifiers import reject_patient_identifiers

GENESIS_HASH = "0" * 64


def canonical_json(content: Any) -> bytes:
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def content_digest(content: Any) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


class SignatureIsFinal(Exception):
    """A signature, once written, is never changed or removed."""


class SignoffRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Awaiting signatures"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        VOID = "void", "Void"

    kind = models.CharField(max_length=50, db_index=True)
    title = models.CharField(max_length=300)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # The person the decision is about (the trainee): they may sign only a step named for them.
    about_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    digest = models.CharField(max_length=64)
    content = models.JSONField(help_text="The canonical content the digest was taken over.")
    ordered = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)
    outcome_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class SignoffStep(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "To sign"
        SIGNED = "signed", "Signed"
        DECLINED = "declined", "Declined"

    request = models.ForeignKey(SignoffRequest, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200, help_text="Who signs, in words.")
    # Who may sign: a named person, or anyone holding a role at an organisation.
    named_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=30, choices=Role.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set for a clinical director: the role must be held for this directorate.
    directorate = models.ForeignKey(
        "accounts.Directorate", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    meaning = models.TextField(help_text="What signing this step means, in words.")
    is_acknowledgement = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    notified_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="step_position_unique"),
            models.CheckConstraint(
                condition=Q(named_user__isnull=False)
                | (Q(organisation__isnull=False) & ~Q(role="")),
                name="step_names_a_person_or_a_role_at_an_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request}: {self.label}"


class SignatureQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise SignatureIsFinal("Signatures cannot be changed.")

    def delete(self) -> NoReturn:
        raise SignatureIsFinal("Signatures cannot be deleted.")


class Signature(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved"
        DECLINE = "decline", "Declined"

    # One signature per step, enforced by the database: two people at once give one signature.
    step = models.OneToOneField(SignoffStep, on_delete=models.PROTECT, related_name="signature")
    request = models.ForeignKey(SignoffRequest, on_delete=models.PROTECT, related_name="signatures")
    sequence = models.PositiveSmallIntegerField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=200)
    signer_gmc_number = models.CharField(max_length=7, blank=True)
    signed_as = models.CharField(max_length=200, help_text="The role and organisation signed for.")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True, validators=[reject_patient_identifiers])
    meaning = models.TextField()
    signed_at = models.DateTimeField()
    authentication = models.CharField(max_length=100)
    digest_seen = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["request", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "sequence"], name="signature_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["request", "signer"], name="one_signature_per_person_per_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer_name}: {self.get_decision_display()} ({self.step.label})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise SignatureIsFinal("Signatures cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise SignatureIsFinal("Signatures cannot be deleted.")

    def canonical_content(self) -> dict:
        return {
            "request_id": self.request_id,
            "step_id": self.step_id,
            "sequence": self.sequence,
            "signer_id": self.signer_id,
            "signer_name": self.signer_name,
            "signer_gmc_number": self.signer_gmc_number,
            "signed_as": self.signed_as,
            "decision": self.decision,
            # A commitment, not the text: a redacted reason leaves the chain intact.
            "reason": committed_text(self, "reason"),
            "meaning": self.meaning,
            "signed_at": self.signed_at.isoformat(timespec="microseconds"),
            "authentication": self.authentication,
            "digest_seen": self.digest_seen,
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self) -> str:
        return content_digest(self.canonical_content())
