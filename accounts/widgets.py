"""Form widgets shared by every app (accounts is the lowest app with forms)."""

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms

DATE_PARTS = ("day", "month", "year")


class DateInput(forms.MultiWidget):
    """A date as three boxes, day, month and year (NHS.UK design system, "Date input").

    ``<input type="date">`` follows the browser's locale, so a UK user could be shown mm/dd/yyyy
    (issue 14). Three boxes read the same everywhere. The parts are joined as an ISO date
    (YYYY-MM-DD), which every DateField accepts; a part left out or mistyped gives a value the
    field refuses with its own message. A single ISO value under the field's own name (an API
    client, a test, an old form) is still read, so nothing that posts a date breaks."""

    template_name = "nhsuk/widgets/date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric", "class": "nhsuk-input nhsuk-date-input__input"}
        widths = {"day": 2, "month": 2, "year": 4}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(
                attrs={**numeric, "class": f"{numeric['class']} nhsuk-input--width-{widths[part]}"}
            )
            for part in DATE_PARTS
        }
        super().__init__(widgets, attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # MultiWidget hands the field's attributes to every box, which would replace each box's
        # own classes (its width): keep them, and add the field's (an error state).
        # Each box's id names its part (id_performed_on_day), as its name does, so the error
        # summary can link to the day box.
        context = super().get_context(name, value, attrs)
        extra = (attrs or {}).get("class", "")
        field_id = (attrs or {}).get("id") or self.attrs.get("id")
        boxes = zip(context["widget"]["subwidgets"], self.widgets, DATE_PARTS, strict=True)
        for subwidget, widget, part in boxes:
            subwidget["attrs"]["class"] = " ".join(filter(None, [widget.attrs["class"], extra]))
            if field_id:
                subwidget["attrs"]["id"] = f"{field_id}_{part}"
        return context

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                parsed = datetime.date.fromisoformat(value)
            except ValueError:
                # Refused input comes back as typed (joined by value_from_datadict), so the
                # person corrects one box rather than retyping the date.
                if value.count("-") == 2:
                    year, month, day = value.split("-")
                    return [day or None, month or None, year or None]
                return [None, None, None]
            return [parsed.day, parsed.month, parsed.year]
        return [None, None, None]

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        if name in data:
            return data.get(name)
        day, month, year = (str(data.get(f"{name}_{part}") or "").strip() for part in DATE_PARTS)
        if not (day or month or year):
            return None
        # Zero-padded so "8", "6", "2026" reads as 2026-06-08; anything missing or not a number
        # stays visibly wrong ("2026--08") and the DateField says "Enter a valid date."
        return f"{year}-{month.zfill(2) if month else ''}-{day.zfill(2) if day else ''}"

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return name not in data and all(f"{name}_{part}" not in data for part in DATE_PARTS)
