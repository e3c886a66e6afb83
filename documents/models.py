"""One row per generated PDF: what it is about, where it stands, and how to check a copy of it."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from .storage import get_private_storage


class GeneratedDocument(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Being produced"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Validity(models.TextChoices):
        VALID = "valid", "Valid"
        SUPERSEDED = "superseded", "Superseded"
        REVOKED = "revoked", "Revoked"

    kind = models.CharField(max_length=100)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # Digest of the subject's content the caller asked for: the same content gives the same row.
    content_digest = models.CharField(max_length=64)
    template_version = models.CharField(max_length=50)
    verification_code = models.CharField(max_length=11, unique=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the render task was last queued: the sweeper re-queues rows pending long after it.
    queued_at = models.DateTimeField()

    file = models.FileField(storage=get_private_storage, max_length=200, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    # What the verification page shows, as printed when it was issued.
    title = models.CharField(max_length=200, blank=True)
    person_name = models.CharField(max_length=200, blank=True)

    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "content_digest"],
                name="document_one_per_subject_content",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "ready", "failed"]),
                name="document_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready")
                | (~Q(sha256="") & ~Q(file="") & Q(issued_at__isnull=False)),
                name="document_ready_has_file_and_hash",
            ),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True, superseded_at__isnull=True)
                | Q(superseded_by__isnull=False, superseded_at__isnull=False),
                name="document_superseded_by_and_at_together",
            ),
            models.CheckConstraint(
                condition=~Q(superseded_by=models.F("pk")),
                name="document_not_superseded_by_itself",
            ),
        ]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.title or self.kind} {self.verification_code}"

    def audit_reference(self) -> str:
        return self.verification_code

    @property
    def validity(self) -> str:
        if self.revoked_at:
            return self.Validity.REVOKED
        if self.superseded_at:
            return self.Validity.SUPERSEDED
        return self.Validity.VALID

    def get_validity_display(self) -> str:
        return self.Validity(self.validity).label

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def has_credential(self) -> bool:
        """Whether a verifiable credential comes with documents of this kind (the certificate)."""
        from .registry import document_kind

        try:
            return document_kind(self.kind).credential is not None
        except LookupError:
            return False


class IssuedCredential(models.Model):
    """The verifiable credential issued alongside a document (the completion certificate), and its
    place in its issuer's status list (documents/credentials.py)."""

    document = models.OneToOneField(
        GeneratedDocument, on_delete=models.PROTECT, related_name="credential"
    )
    credential_id = models.UUIDField(unique=True)
    issuer = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # The bit of this credential in its issuer's Bitstring Status List; drawn at random, so a
    # credential's position says nothing about when it was issued or to whom.
    status_index = models.PositiveIntegerField()
    key_id = models.CharField(max_length=120)
    # The signed JWT as issued: the trainee downloads it again, byte for byte the same.
    token = models.TextField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "status_index"], name="credential_one_per_status_bit"
            ),
        ]

    def __str__(self) -> str:
        return f"Credential for {self.document}"

    def audit_reference(self) -> str:
        return f"credential urn:uuid:{self.credential_id}"
