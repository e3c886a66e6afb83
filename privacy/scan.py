"""Find identifier-shaped text already stored, in every text column of every table.

The guard stops identifiers at the door; this finds any that got in before a rule existed, by a
route that bypassed it, or through a rule's blind spot. It reads every CharField, TextField and
JSONField of every model, history and audit tables included, and reports table, column, row id
and the kind found, never the value.

Three readings keep system-written columns from crying wolf, each because of what the app writes
there, not because the column is trusted:
- hashes, digests and commitments (32 or more hex digits) are not text: they are left out, or a
  run of ten digits inside one would read as an NHS number;
- outside person-written columns (and their history copies) the app writes staff names from
  accounts ("Dr Priya Shah signed in") and dates from date fields ("Case 12 (27 May 2026)"), so
  only the shapes the app never writes there are reported: NHS numbers, hospital numbers and
  postcodes. A copy of free text in such a column is still caught by those;
- a JSON value that is exactly an ISO date or time is a structured field the app wrote;
- the app's own reference shapes (a document's verification code, "M27AB-9XY2C", can read as a
  postcode) are left out: each app registers its shapes with ``register_reference_shape``.
Columns that hold random tokens or encoded data, not text, are not read (``NOT_TEXT_COLUMNS``).
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

from .guard import guarded_fields, is_history_model
from .identifiers import HOSPITAL_NUMBER, NHS_NUMBER, POSTCODE, find_patient_identifiers

_ISO_DATE_OR_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+([+-]\d{2}:\d{2}|Z)?)?$")
_HEX_DIGEST = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{32,}(?![0-9a-fA-F])")
_SYSTEM_COLUMN_KINDS = frozenset({NHS_NUMBER, HOSPITAL_NUMBER, POSTCODE})
_REFERENCE_SHAPES: list[re.Pattern] = []

# "table.column": why it is not text anyone reads or writes.
NOT_TEXT_COLUMNS: dict[str, str] = {
    "django_session.session_key": "a random session key",
    "django_session.session_data": "signed, encoded session data",
    "otp_static_statictoken.token": "a random single-use backup code",
    "otp_totp_totpdevice.key": "a TOTP secret",
}


def register_reference_shape(pattern: str) -> None:
    """An app's own generated reference (a code, not text): the scan reads past it."""
    _REFERENCE_SHAPES.append(re.compile(pattern))


def _without_generated_tokens(text: str) -> str:
    text = _HEX_DIGEST.sub(" ", text)
    for shape in _REFERENCE_SHAPES:
        text = shape.sub(" ", text)
    return text


@dataclass(frozen=True)
class StoredIdentifier:
    table: str
    column: str
    row_id: object
    kind: str


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if not _ISO_DATE_OR_TIME.match(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


def _columns(model: Any) -> Iterator[tuple[models.Field, bool]]:
    person_written = set(guarded_fields(model.instance_type if is_history_model(model) else model))
    for field in model._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
            yield field, field.name in person_written


def _kinds_found(texts: Iterable[str], person_written: bool) -> list[str]:
    kinds = []
    for text in texts:
        for finding in find_patient_identifiers(_without_generated_tokens(text)):
            if person_written or finding.kind in _SYSTEM_COLUMN_KINDS:
                kinds.append(finding.kind)
    return kinds


def stored_identifiers(chunk_size: int = 5000) -> Iterator[StoredIdentifier]:
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        manager: models.QuerySet[Any] = models.QuerySet(model=model)
        for field, person_written in _columns(model):
            if f"{model._meta.db_table}.{field.column}" in NOT_TEXT_COLUMNS:
                continue
            rows = manager.exclude(**{f"{field.attname}__isnull": True})
            if not isinstance(field, models.JSONField):
                rows = rows.exclude(**{field.attname: ""})
            for row_id, value in rows.values_list("pk", field.attname).iterator(chunk_size):
                texts = _strings_in(value) if isinstance(field, models.JSONField) else [value]
                for kind in dict.fromkeys(_kinds_found(texts, person_written)):
                    yield StoredIdentifier(model._meta.db_table, field.column, row_id, kind)
