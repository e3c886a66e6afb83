"""Writing to, and checking, the append-only audit log."""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from privacy.commitments import text_commitment

from .context import current_request_id
from .models import GENESIS_HASH, AuditChainHead, AuditEvent

if TYPE_CHECKING:
    # The user model (settings.AUTH_USER_MODEL), named for the type checker only: audit does not
    # import accounts at run time (accounts depends on audit, never the reverse).
    from accounts.models import User


def _json_normalised(data: dict[str, Any] | None) -> dict[str, Any]:
    # Hash exactly what the JSON column will give back, so a re-read event hashes the same.
    return json.loads(json.dumps(data or {}, default=str, sort_keys=True))


def audit_reference(subject: models.Model) -> str:
    """How the log names an object: a reference the system wrote, never a model's ``__str__``
    (which may quote text a person wrote: a criterion's description, a case's reference)."""
    reference = getattr(subject, "audit_reference", None)
    if callable(reference):
        return str(reference())
    return f"{subject._meta.verbose_name} {subject.pk}"


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "pk") and hasattr(value, "_meta"):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str, sort_keys=True)
    return str(value)


def audit_commitments(values: dict) -> dict[str, str]:
    """Each field's name with a commitment to its value, never the value: what an edit's audit
    event holds (the row and its history hold the values, and may be redacted)."""
    return {name: text_commitment(_as_text(values[name])) for name in sorted(values)}


def audit_changes(before: dict, after: dict) -> dict[str, str]:
    """The fields whose value changed, each with a commitment to its new value."""
    return audit_commitments(
        {name: value for name, value in after.items() if before.get(name) != value}
    )


def audit_event_record(
    *,
    actor: "User | None",
    verb: str,
    summary: str,
    subject: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the service's transaction, so both commit or neither."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"sequence": 0, "hash": GENESIS_HASH}
        )
        actor = actor if getattr(actor, "is_authenticated", False) else None
        event = AuditEvent(
            sequence=head.sequence + 1,
            occurred_at=timezone.now(),
            actor=actor,
            actor_label=f"{actor.full_name} <{actor.email}>" if actor else "",
            verb=verb,
            object_type=subject._meta.label_lower if subject is not None else "",
            object_id=str(subject.pk) if subject is not None else "",
            object_repr=audit_reference(subject)[:300] if subject is not None else "",
            summary=summary[:500],
            data=_json_normalised(data),
            request_id=current_request_id.get(),
            previous_hash=head.hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.sequence, head.hash = event.sequence, event.hash
        head.save(update_fields=["sequence", "hash"])
    return event


@dataclass(frozen=True)
class ChainCheck:
    intact: bool
    events_checked: int
    broken_sequence: int | None = None
    broken_event_id: int | None = None
    reason: str = ""


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainCheck:
    """Walk the chain from the first event; report the first event that does not hold."""
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    last = None
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        if event.sequence != expected_sequence:
            return ChainCheck(
                False,
                checked,
                expected_sequence,
                None,
                f"event #{expected_sequence} is missing (the next one is #{event.sequence})",
            )
        if event.previous_hash != previous_hash:
            return ChainCheck(
                False,
                checked,
                event.sequence,
                event.pk,
                "its link to the previous event does not match (an event before it was changed)",
            )
        if event.compute_hash() != event.hash:
            return ChainCheck(
                False,
                checked,
                event.sequence,
                event.pk,
                "its content does not match its hash (it was changed after it was written)",
            )
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
        last = event

    head = AuditChainHead.objects.filter(pk=1).first()
    head_sequence = head.sequence if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    last_sequence = last.sequence if last else 0
    if head_sequence != last_sequence or head_hash != previous_hash:
        return ChainCheck(
            False,
            checked,
            last_sequence + 1,
            None,
            f"the log ends at #{last_sequence} but event #{head_sequence} was written "
            "(the latest events were deleted or replaced)",
        )
    return ChainCheck(True, checked)
