"""Form widgets shared by every app (accounts is the lowest app with forms)."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker. An ``<input type="date">`` reads and writes only ISO dates
    (YYYY-MM-DD); Django's default format follows the language, and en-GB's "08/06/2026" left
    every edit form's date empty, so the person got "This field is required." for a date they had
    given."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")
