from django import forms

from accounts.forms import OnceOnlyFormMixin
from accounts.widgets import DateInput
from privacy.identifiers import reject_patient_identifiers

from .activity_services import ACTIVITY_FIELDS, ASSESSMENT_FIELDS
from .models import Activity, Assessment


class ActivityForm(OnceOnlyFormMixin, forms.ModelForm):
    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS
        widgets = {
            "happened_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, supervisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors
        self.fields["supervisor"].help_text = "The supervisor who will confirm you attended."


class ActivityDecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(
        choices=[("yes", "Confirm"), ("no", "Query")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="Decision",
    )
    comment = forms.CharField(
        required=False,
        max_length=1000,
        validators=[reject_patient_identifiers],
        widget=forms.TextInput(attrs={"placeholder": "Comment (required to query)"}),
    )


class AssessmentForm(OnceOnlyFormMixin, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ASSESSMENT_FIELDS
        widgets = {
            "assessed_on": DateInput(),
            "entrustment": forms.RadioSelect,
            "strengths": forms.Textarea(attrs={"rows": 3}),
            "development_points": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"entrustment": "Entrustment level"}

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].required = False
        # Radios need no empty choice: nothing is chosen until the assessor picks a level.
        entrustment = self.fields["entrustment"]
        entrustment.choices = [
            (value, label) for value, label in entrustment.choices if value != ""
        ]
