"""The append-only audit log.

Each event carries the SHA-256 of the one before it, so any edit or deletion of a past row breaks
the chain and ``manage.py audit_verify`` names the first broken event. A one-row head table holds
the newest sequence number and hash: it serialises writers (it is locked for each append) and
anchors the tail, so deleting the latest events is caught too.
"""

import hashlib
import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True, editable=False)
    # PROTECT: removing a person must never rewrite (SET_NULL) or remove (CASCADE) their history.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    actor_label = models.CharField(max_length=300, blank=True, editable=False)
    verb = models.CharField(max_length=100, db_index=True, editable=False)
    object_type = models.CharField(max_length=100, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    object_repr = models.CharField(max_length=300, blank=True, editable=False)
    summary = models.CharField(max_length=500, editable=False)
    data = models.JSONField(default=dict, blank=True, editable=False)
    request_id = models.CharField(max_length=64, blank=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.verb}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    def canonical_content(self) -> bytes:
        """The bytes the hash covers: every field but the hash, in a fixed order and form."""
        content = {
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "verb": self.verb,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "summary": self.summary,
            "data": self.data,
            "request_id": self.request_id,
            "previous_hash": self.previous_hash,
        }
        return json.dumps(
            content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical_content()).hexdigest()


class AuditChainHead(models.Model):
    """The single row that records the newest event; locked for every append."""

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"audit head at #{self.sequence}"


class Redaction(models.Model):
    """A free text removed from a row by an administrator acting for the Caldicott guardian.

    The row keeps "[redacted]"; this record keeps the commitment (an HMAC) of what was removed, so
    signatures, sign-off digests and audit events that committed to the text still verify
    (``audit.redaction.committed_text``). It holds no text itself.
    """

    class Reason(models.TextChoices):
        PATIENT_IDENTIFIER = "patient_identifier", "A patient identifier was written in free text"
        OTHER_PERSONAL_DATA = "other_personal_data", "Other personal data that must not be kept"

    app_label = models.CharField(max_length=100, editable=False)
    model = models.CharField(max_length=100, editable=False)
    object_id = models.CharField(max_length=64, editable=False)
    field = models.CharField(max_length=100, editable=False)
    commitment = models.CharField(max_length=80, editable=False)
    reason = models.CharField(max_length=30, choices=Reason.choices, editable=False)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    redacted_at = models.DateTimeField(editable=False)

    class Meta:
        ordering = ["-redacted_at"]
        indexes = [models.Index(fields=["app_label", "model", "object_id", "field"])]

    def __str__(self) -> str:
        return f"{self.app_label}.{self.model} {self.object_id}: {self.field} redacted"
