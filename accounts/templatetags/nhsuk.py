"""NHS.UK frontend markup for Django form fields: the project's crispy-forms template pack
(accounts/templates/nhsuk/, docs/architecture.md, "Front end") asks these filters which component
a field is and renders its control with the design system's classes and described-by ids."""

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString

from accounts.widgets import DateInput

register = template.Library()

# The widget classes NHS.UK frontend gives each kind of control.
CONTROL_CLASSES = {
    "input": "nhsuk-input",
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "file": "nhsuk-file-upload__input",
}
ERROR_CLASSES = {
    "input": "nhsuk-input--error",
    "textarea": "nhsuk-textarea--error",
    "select": "nhsuk-select--error",
    "file": "nhsuk-file-upload__input--error",
    "date": "nhsuk-input--error",
}


@register.filter
def field_kind(field: BoundField) -> str:
    """Which NHS.UK component renders this field. Order matters: CheckboxSelectMultiple is a
    RadioSelect, and RadioSelect and SelectMultiple are Selects."""
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, DateInput):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


def described_by(field: BoundField) -> str:
    """The hint's and the error's ids, as the control's aria-describedby."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def describedby(field: BoundField) -> str:
    return described_by(field)


@register.filter
def control(field: BoundField) -> SafeString:
    """The field's own control with the design system's classes, error state and described-by
    ids added to whatever the form already set."""
    kind = field_kind(field)
    attrs = dict(field.field.widget.attrs)
    classes = [attrs.get("class", ""), CONTROL_CLASSES.get(kind, "")]
    if field.errors:
        classes.append(ERROR_CLASSES.get(kind, ""))
    attrs["class"] = " ".join(c for c in classes if c)
    hint_and_error = described_by(field)
    # A date's hint and error describe its fieldset (field.html), not each of its three boxes.
    if hint_and_error and kind != "date":
        attrs["aria-describedby"] = hint_and_error
    return field.as_widget(attrs=attrs)


@register.filter
def error_anchor(field: BoundField) -> str:
    """Where the error summary's link for this field lands: the first box of a date, the first
    option of radios or checkboxes, else the control."""
    kind = field_kind(field)
    if kind == "date":
        return f"{field.auto_id}_day"
    if kind in ("radios", "checkboxes"):
        return f"{field.auto_id}_0"
    return str(field.id_for_label or field.auto_id)


@register.filter
def maxlength(field: BoundField) -> int | None:
    """The limit a character count shows under a long free-text box, if the field has one."""
    value = field.field.widget.attrs.get("maxlength") or getattr(field.field, "max_length", None)
    return int(value) if value else None
