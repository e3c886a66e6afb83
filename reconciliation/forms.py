"""Input shapes for reconciliation's pages."""

from django import forms
from django.conf import settings

from accounts.models import Organisation, Site
from accounts.widgets import DateInput
from caselogs.choices import TraineeRole

from .importer import MAX_BYTES
from .models import SampledCase


class ProcedureListForm(forms.Form):
    site: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Site.objects.none(), label="Site", empty_label=None
    )
    period_start = forms.DateField(label="First day of the list", widget=DateInput())
    period_end = forms.DateField(label="Last day of the list", widget=DateInput())
    file = forms.FileField(
        label="The list, as CSV or Excel (.xlsx)",
        help_text=f"One row per operator of each procedure, at most {MAX_BYTES // 2**20} MB. "
        "The file is read in memory and not kept.",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The last day must be on or after the first day.")
        return data


class SampleDrawForm(forms.Form):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), empty_label=None
    )
    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        choices=[
            (1, "1 (January to March)"),
            (2, "2 (April to June)"),
            (3, "3 (July to September)"),
            (4, "4 (October to December)"),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    percent = forms.IntegerField(
        label="Share of each trainee's verified cases (%)",
        min_value=1,
        max_value=100,
        initial=settings.RECONCILIATION_SAMPLE_PERCENT,
    )
    minimum = forms.IntegerField(
        label="At least this many per trainee",
        min_value=0,
        max_value=100,
        initial=settings.RECONCILIATION_SAMPLE_MINIMUM,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class SampledCaseForm(forms.Form):
    confirmed = forms.ChoiceField(
        label="Does the hospital record confirm this case?",
        choices=SampledCase.Confirmed.choices,
        widget=forms.RadioSelect,
    )
    role = forms.ChoiceField(
        label="The trainee's role in the hospital record",
        choices=[("", "Not recorded")] + list(TraineeRole.choices),
        required=False,
    )
    outcome = forms.ChoiceField(
        label="The outcome in the hospital record",
        choices=SampledCase.Outcome.choices,
        widget=forms.RadioSelect,
    )
