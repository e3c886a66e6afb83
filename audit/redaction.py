"""Redacting a free text that should never have been written, without breaking any chain.

An administrator, acting for the Caldicott guardian, names a row and its text field (as
``manage.py scan_identifiers`` prints them). ``text_redact`` replaces the text with "[redacted]"
in the row and in every history row of that object that held it, records the commitment of what
was removed (``Redaction``) and writes an audit event: who, when, which fields, why.

Everything that proves a text was as written (signature hashes, sign-off digests, the audit log)
holds a commitment to it, never the text (privacy/commitments.py). ``committed_text`` gives that
commitment: of the text itself, or, for a redacted text, the one recorded when it was removed. So
after a redaction ``audit_verify`` still passes, every signature still verifies and a document's
/verify page still says valid.
"""

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from privacy.commitments import REDACTED, text_commitment
from privacy.guard import guarded_fields, is_history_model
from privacy.identifiers import find_patient_identifiers

from .models import Redaction
from .services import audit_event_record

if TYPE_CHECKING:
    # The user model, for the type checker only (audit does not import accounts at run time).
    from accounts.models import User


class RedactionRefused(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def committed_text(instance: models.Model, field: str) -> str:
    """The commitment to ``instance.<field>``, the same before and after a redaction."""
    value = getattr(instance, field) or ""
    if value == REDACTED:
        redaction = (
            Redaction.objects.filter(
                app_label=instance._meta.app_label,
                model=instance._meta.model_name,
                object_id=str(instance.pk),
                field=field,
            )
            .order_by("-redacted_at", "-pk")
            .first()
        )
        if redaction is not None:
            return redaction.commitment
    return text_commitment(value)


def redactable_tables() -> dict[str, tuple[type[models.Model], tuple[str, ...]]]:
    """Each table with person-written text, by its database name, with those columns."""
    tables = {}
    for model in apps.get_models():
        if is_history_model(model):
            continue
        fields = guarded_fields(model)
        if fields:
            tables[model._meta.db_table] = (model, fields)
    return tables


def text_redact(
    *,
    actor: "User",
    model: type[models.Model],
    object_id: int | str,
    fields: list[str],
    reason: str,
) -> dict[str, str]:
    """Replace each named text of one row with "[redacted]", keeping every chain verifiable."""
    if reason not in Redaction.Reason.values:
        raise RedactionRefused("Choose why the text is redacted.", field="reason")
    allowed = guarded_fields(model)
    unknown = [name for name in fields if name not in allowed]
    if not fields or unknown:
        raise RedactionRefused("Name a column that holds text a person wrote.", field="column")
    with transaction.atomic():
        # The model's own manager may refuse updates (signatures are final): redaction is the one
        # change allowed, so it goes through a plain queryset, and the row is locked first.
        rows: QuerySet[Any] = QuerySet(model=model).select_for_update().filter(pk=object_id)
        row = rows.first()
        if row is None:
            raise RedactionRefused("There is no row with that id in that table.", field="object_id")
        now = timezone.now()
        changed = {}
        for name in fields:
            original = getattr(row, name) or ""
            if original in ("", REDACTED):
                continue
            changed[name] = committed_text(row, name)
            Redaction.objects.create(
                app_label=model._meta.app_label,
                model=model._meta.model_name or "",
                object_id=str(row.pk),
                field=name,
                commitment=changed[name],
                reason=reason,
                redacted_by=actor,
                redacted_at=now,
            )
            _redact_history(model, row.pk, name, original)
        if not changed:
            raise RedactionRefused("That text is empty or already redacted.", field="column")
        rows.update(**dict.fromkeys(changed, REDACTED))
        audit_event_record(
            actor=actor,
            verb="privacy.redacted",
            summary=f"Free text redacted: {model._meta.verbose_name} {row.pk} "
            f"({', '.join(sorted(changed))})",
            data={
                "table": model._meta.db_table,
                "object_id": str(row.pk),
                "fields": changed,
                "reason": reason,
            },
        )
    return changed


def _redact_history(
    model: type[models.Model], object_id: int | str, field: str, original: str
) -> None:
    """Every history row of the object whose text was the removed one or holds an identifier."""
    history = getattr(model, "history", None)
    if history is None:
        return
    history_rows: QuerySet[Any] = QuerySet(model=history.model).filter(
        **{model._meta.pk.attname: object_id}
    )
    doomed = [
        pk
        for pk, value in history_rows.values_list("pk", field)
        if value and value != REDACTED and (value == original or find_patient_identifiers(value))
    ]
    QuerySet(model=history.model).filter(pk__in=doomed).update(**{field: REDACTED})
