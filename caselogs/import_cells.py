"""Converting one cell of an imported CSV into the value of a case's field, against the trainee's
agreement (its sites and named supervisors). A cell that cannot be converted raises ``Refused``,
whose message the importer shows beside the row and column."""

import re
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, cast

from django.db import models

from accounts.models import Site, User
from agreements.models import AgreementVersion
from agreements.selectors import named_supervisors

from . import choices as c
from .models import Case

MULTI_SEPARATOR = ";"
MULTI_CHOICES = {"imaging": c.Imaging, "complications": c.Complication}
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_OUT_OF_HOURS = {"out of hours": True, "ooh": True, "in hours": False}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


class Refused(Exception):
    """A cell that cannot be converted. "{value}" in the message becomes the value, if showable."""


def _whole_number(raw: str) -> int:
    if not re.fullmatch(r"[+-]?\d{1,9}", raw):
        raise Refused("{value} is not a whole number.")
    return int(raw)


def cell_date(raw: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise Refused("{value} is not a date: write it as yyyy-mm-dd (or dd/mm/yyyy).")


def _yes_no(raw: str) -> bool:
    word = raw.casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise Refused("{value} is not yes or no.")


def _out_of_hours(raw: str) -> bool:
    word = " ".join(raw.casefold().replace("-", " ").split())
    if word in _OUT_OF_HOURS:
        return _OUT_OF_HOURS[word]
    try:
        return _yes_no(raw)
    except Refused:
        raise Refused("{value} is not “in hours” or “out of hours”.") from None


def _choice_lookup(choices: Sequence[tuple[str, Any]]) -> dict[str, str]:
    lookup = {str(label).casefold(): value for value, label in choices}
    lookup.update({value.casefold(): value for value, _ in choices})
    return lookup


def _choice(raw: str, choices: Sequence[tuple[str, Any]]) -> str:
    value = _choice_lookup(choices).get(raw.casefold())
    if value is None:
        codes = ", ".join(value for value, _ in choices)
        raise Refused(f"{{value}} is not one of: {codes}.")
    return value


def _many_choices(raw: str, choices: Sequence[tuple[str, Any]]) -> list[str]:
    values = []
    for part in raw.split(MULTI_SEPARATOR):
        if part.strip():
            value = _choice(part.strip(), choices)
            if value not in values:
                values.append(value)
    return values


def _name_key(text: str) -> str:
    return " ".join(text.casefold().split())


class ImportContext:
    """What a file is checked against: the trainee's agreement, its sites and supervisors."""

    def __init__(
        self, version: AgreementVersion, existing_references: Collection[str] | None = None
    ) -> None:
        self.version = version
        self.existing_references = existing_references
        sites = list(
            Site.objects.filter(organisation__in=[version.employer_id, version.training_centre_id])
            .select_related("organisation")
            .order_by("name")
        )
        self.site_names = [site.name for site in sites]
        self.sites: dict[str, list[Site]] = {}
        for site in sites:
            for key in (site.name, f"{site.name} ({site.organisation.name})"):
                self.sites.setdefault(_name_key(key), []).append(site)
        self.supervisors = sorted(named_supervisors(version), key=lambda user: user.full_name)
        self.supervisor_keys: dict[str, User] = {}
        for user in self.supervisors:
            self.supervisor_keys[user.email.casefold()] = user
            if user.gmc_number:
                self.supervisor_keys[user.gmc_number] = user

    def site(self, raw: str) -> Site:
        found = self.sites.get(_name_key(raw), [])
        if len(found) > 1:
            raise Refused(
                "Two sites are called {value}: add the organisation in brackets, "
                "for example “Site name (Organisation name)”."
            )
        if not found:
            raise Refused(
                "No site called {value} at your employer or training centre. Use one of: "
                + "; ".join(self.site_names)
                + "."
            )
        return found[0]

    def supervisor(self, raw: str) -> User:
        user = self.supervisor_keys.get(raw.casefold())
        if user is None:
            names = "; ".join(f"{u.full_name} ({u.email})" for u in self.supervisors)
            raise Refused(
                "{value} is not the e-mail address or GMC number of a supervisor named on your "
                f"training agreement: {names}."
            )
        return user


def cell_value(name: str, raw: str, context: ImportContext) -> Any:
    """The Python value for one cell; blank cells give the field's empty value."""
    model_field = cast(models.Field, Case._meta.get_field(name))  # Case's own columns
    if not raw:
        if is_required(model_field):
            raise Refused("This column is required.")
        return _empty_value(model_field)
    if name == "site":
        return context.site(raw)
    if name == "supervisor":
        return context.supervisor(raw)
    if name == "out_of_hours":
        return _out_of_hours(raw)
    if name in MULTI_CHOICES:
        return _many_choices(raw, MULTI_CHOICES[name].choices)
    if isinstance(model_field, models.BooleanField):
        return _yes_no(raw)
    if isinstance(model_field, models.DateField):
        return cell_date(raw)
    if isinstance(model_field, models.IntegerField):
        return _whole_number(raw)
    if model_field.choices:
        return _choice(raw, model_field.choices)
    return raw


def is_required(model_field: Any) -> bool:
    return not model_field.blank and not model_field.has_default()


def _empty_value(model_field: Any) -> Any:
    if model_field.name in MULTI_CHOICES:
        return []
    if isinstance(model_field, models.BooleanField):
        return None if model_field.null else False
    if model_field.null:
        return None
    return ""
