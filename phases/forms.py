from django import forms

from privacy.identifiers import reject_patient_identifiers

from .models import Competency, Phase


class CompetencySignForm(forms.Form):
    competency = forms.ChoiceField(choices=Competency.choices)
    statement = forms.CharField(
        required=False,
        max_length=1000,
        validators=[reject_patient_identifiers],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: what you observed.",
    )


class ReturnForm(forms.Form):
    to_phase = forms.TypedChoiceField(
        label="Return to",
        coerce=int,
        choices=[(Phase.DIRECT, Phase.DIRECT.label), (Phase.INDIRECT, Phase.INDIRECT.label)],
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        validators=[reject_patient_identifiers],
        help_text="The concern about practice. Kept in the phase history.",
    )
