"""The import page's template file and its guide to every column: what each takes."""

import csv
import io
from dataclasses import dataclass
from typing import Any, cast

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import Promise

from agreements.models import AgreementVersion

from .import_cells import MULTI_CHOICES, MULTI_SEPARATOR, ImportContext, is_required
from .importer import COLUMNS
from .models import INTERVAL_LIMITS, Case

_GUIDE_NOTES = {
    "reference": "Your own reference, unique in your logbook. Never a hospital or NHS number.",
    "final_etici": "Required for a mechanical thrombectomy.",
    "passes": "Required for a mechanical thrombectomy (0 if no pass was made).",
}


@dataclass(frozen=True)
class ColumnGuide:
    name: str
    label: str
    required: bool
    accepts: str
    choices: list[tuple[str, str | Promise]]


def template_csv() -> str:
    """The header row, with a byte-order mark so spreadsheets open it as UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(COLUMNS)
    return "\ufeff" + buffer.getvalue()


def _range(model_field: Any) -> str:
    low = next(
        (v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)), 0
    )
    high = next(
        (v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)), None
    )
    if model_field.name in INTERVAL_LIMITS:
        return f"Minutes, a whole number from 0 to {INTERVAL_LIMITS[model_field.name][0]}."
    return f"A whole number from {low} to {high}." if high is not None else "A whole number."


def _accepts(
    model_field: Any, context: ImportContext
) -> tuple[str, list[tuple[str, str | Promise]]]:
    name = model_field.name
    if name == "site":
        return "The site's name: one of " + "; ".join(context.site_names) + ".", []
    if name == "supervisor":
        people = "; ".join(f"{u.full_name}: {u.email}" for u in context.supervisors)
        return f"The supervisor's e-mail address or GMC number: {people}.", []
    if name == "out_of_hours":
        return "“in hours” or “out of hours” (or yes/no). Blank means in hours.", []
    if name in MULTI_CHOICES:
        return (
            f"Any of these codes, separated by “{MULTI_SEPARATOR}”. Blank means none.",
            list(MULTI_CHOICES[name].choices),
        )
    if isinstance(model_field, models.BooleanField):
        blank = "not recorded" if model_field.null else "no"
        return f"yes or no (also true/false, 1/0). Blank means {blank}.", []
    if isinstance(model_field, models.DateField):
        return "A date: yyyy-mm-dd (or dd/mm/yyyy). Not in the future.", []
    if isinstance(model_field, models.IntegerField):
        return _range(model_field), []
    if model_field.choices:
        return "One of these codes.", [(v, str(label)) for v, label in model_field.choices]
    limit = f" At most {model_field.max_length} characters." if model_field.max_length else ""
    return "Free text. No patient identifiers: they are refused." + limit, []


def column_guide(version: AgreementVersion) -> list[ColumnGuide]:
    """Each column, whether it is required, and what it takes, for the import page."""
    context = ImportContext(version)
    guide = []
    for name in COLUMNS:
        model_field = cast(models.Field, Case._meta.get_field(name))  # Case's own columns
        accepts, choices = _accepts(model_field, context)
        note = _GUIDE_NOTES.get(name)
        guide.append(
            ColumnGuide(
                name=name,
                label=str(model_field.verbose_name),
                required=is_required(model_field),
                accepts=f"{accepts} {note}" if note else accepts,
                choices=choices,
            )
        )
    return guide
