"""A case's history as its page shows it: each saved version with what changed from the one
before, so an edit no longer reads as a repeat of the line below it."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from django.db import models
from django.utils.formats import date_format

from . import choices as c
from .models import Case
from .services import CASE_INPUT_FIELDS

# Written by the person, and perhaps long or personal: the history says that they changed, never
# what they said before or after (the case page shows the current text).
FREE_TEXT = {"reference", "aborted_reason", "reflection"}
# Hidden from the supervisor until they have recorded their own view (the verify form is blind).
BLIND_FIELDS = {"trainee_role", "supervision_mode"}
LABELS = {
    "out_of_hours": "When",
    "trainee_role": "Trainee's role",
    "supervision_mode": "Supervision",
    "reference": "Case reference",
}
NOT_RECORDED = "not recorded"
TICKED = {"imaging": dict(c.Imaging.choices), "complications": dict(c.Complication.choices)}


@dataclass(frozen=True)
class HistoryEntry:
    revision: int
    status: str
    user: str
    when: datetime
    changes: list[str] = field(default_factory=list)
    note: str = ""


def _label(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    label = str(cast(models.Field, Case._meta.get_field(name)).verbose_name)
    return label[:1].upper() + label[1:]


def _shown(record: Any, name: str) -> str:
    value = getattr(record, name)
    if name == "out_of_hours":
        return "out of hours" if value else "in hours"
    if name in ("site", "supervisor"):
        related = getattr(record, name)
        return str(getattr(related, "full_name", None) or getattr(related, "name", related))
    if name in TICKED:
        return ", ".join(str(TICKED[name].get(v, v)) for v in value) if value else "none"
    if value is None or value == "":
        return NOT_RECORDED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name.endswith("_minutes"):
        return f"{value} min"
    if isinstance(value, date):
        return date_format(value, "j M Y")
    field = cast(models.Field, Case._meta.get_field(name))  # Case's own columns
    return str(dict(field.flatchoices).get(value, value))


def _changes(newer: Any, older: Any, *, blind: bool) -> list[str]:
    changed = []
    for name in CASE_INPUT_FIELDS:
        key = f"{name}_id" if name in ("site", "supervisor") else name
        if getattr(newer, key) == getattr(older, key):
            continue
        if name in FREE_TEXT or (blind and name in BLIND_FIELDS):
            changed.append(f"{_label(name)} changed")
        else:
            changed.append(f"{_label(name)}: {_shown(older, name)} → {_shown(newer, name)}")
    return changed


def case_history(case: Case, *, blind: bool, limit: int = 20) -> list[HistoryEntry]:
    """The latest ``limit`` versions of the case, newest first, each with its changes."""
    records = list(
        case.history.select_related("history_user", "site", "supervisor").order_by(
            "-history_date", "-history_id"
        )[: limit + 1]
    )
    entries = []
    for position, record in enumerate(records[:limit]):
        older = records[position + 1] if position + 1 < len(records) else None
        changes, note = [], ""
        if record.history_type == "+":
            note = "Logged"
        elif older is not None:
            changes = _changes(record, older, blind=blind)
            if not changes and record.status == older.status:
                note = "Saved with no changes"
        entries.append(
            HistoryEntry(
                revision=record.revision,
                status=record.get_status_display().lower(),
                user=record.history_user.full_name if record.history_user else "",
                when=record.history_date,
                changes=changes,
                note=note,
            )
        )
    return entries
