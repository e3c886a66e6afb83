from django import forms

from accounts.widgets import DateInput
from privacy.identifiers import reject_patient_identifiers

from . import choices as c
from .importer import MAX_BYTES, MAX_ROWS
from .models import Case, CaseVerification
from .services import ACCESSION_FIELD, CASE_INPUT_FIELDS
from .validation import MT_REQUIRED_MESSAGES, case_errors

QUICK_FIELDS = (
    "performed_on",
    "reference",
    "site",
    "out_of_hours",
    "procedure",
    "trainee_role",
    "supervisor",
    "supervision_mode",
    "final_etici",
    "passes",
    "any_complication",
    ACCESSION_FIELD,
)
MT_REQUIRED = ("final_etici", "passes")
# What each required field left empty says (NHS.UK: say what to do, not "This field is required").
REQUIRED_MESSAGES = {
    "performed_on": "Enter the date of the case.",
    "reference": "Enter your case reference.",
    "site": "Select the site.",
    "out_of_hours": "Select in hours or out of hours.",
    "procedure": "Select the procedure.",
    "trainee_role": "Select your role.",
    "supervisor": "Select your supervisor.",
    "supervision_mode": "Select the supervision mode.",
}
# NHS.UK text inputs are as wide as what they take (nhsuk-input--width-N, in characters).
INPUT_WIDTHS = {
    "reference": 10,
    "accession_number": 10,
    "passes": 2,
    "age": 3,
    "pre_stroke_mrs": 2,
    "nihss_baseline": 2,
    "aspects": 2,
    "nihss_24h": 2,
    "mrs_90_days": 2,
}
DETAIL_SECTIONS = (
    (
        "Patient and stroke (no identifiers)",
        (
            "age",
            "sex",
            "pre_stroke_mrs",
            "nihss_baseline",
            "aspects",
            "aspects_modality",
            "imaging",
            "occlusion_site",
            "occlusion_side",
            "thrombolysis",
            "admission",
            "onset_type",
        ),
    ),
    (
        "Times (minutes between events)",
        (
            "onset_to_arrival_minutes",
            "door_in_door_out_minutes",
            "door_to_imaging_minutes",
            "door_to_puncture_minutes",
            "puncture_to_reperfusion_minutes",
            "procedure_minutes",
        ),
    ),
    (
        "Procedure",
        (
            "anaesthesia",
            "access",
            "technique",
            "balloon_guide",
            "first_pass_etici",
            "rescue_therapy",
            "aborted_reason",
            "complications",
        ),
    ),
    (
        "Outcome",
        (
            "haemorrhage",
            "haemorrhage_symptomatic",
            "sich_definition",
            "nihss_24h",
            "died_in_hospital",
            "mrs_90_days",
            "mrs_90_days_method",
            "ssnap_entered",
        ),
    ),
    ("Reflection", ("reflection",)),
)


class BooleanRadioSelect(forms.RadioSelect):
    """Radios whose values are "true" and "false". A saved case's value is a Python bool, whose
    str() ("False") matches neither, so without this an edit form opened with no radio chosen."""

    def format_value(self, value):
        if isinstance(value, bool):
            value = "true" if value else "false"
        return super().format_value(value)


class UnknownYesNoSelect(forms.NullBooleanSelect):
    """Yes, no or not recorded, with the saved value selected again when a case is edited."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Not recorded"), ("true", "Yes"), ("false", "No")]


class WriteOnlyTextInput(forms.TextInput):
    """A text box that never renders a value back: an accession number typed into it is keyed
    by the service and must not reappear in the page, even when the form comes back with errors."""

    def format_value(self, value):
        return None


class CaseForm(forms.ModelForm):
    accession_number = forms.CharField(
        label="Accession number or event id",
        required=False,
        max_length=40,
        strip=True,
        widget=WriteOnlyTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="From the angio suite's record, to check this case against the hospital's "
        "procedure list. It is replaced by a keyed code at once: it is never stored or shown, "
        "so it stays blank here. Leave it blank to keep the one given before.",
    )
    out_of_hours = forms.TypedChoiceField(
        label="When",
        choices=[("false", "In hours"), ("true", "Out of hours")],
        coerce=lambda v: v == "true",
        widget=BooleanRadioSelect,
        initial=False,
    )
    imaging = forms.MultipleChoiceField(
        choices=c.Imaging.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Imaging used",
    )
    complications = forms.MultipleChoiceField(
        choices=c.Complication.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Case
        fields = CASE_INPUT_FIELDS
        widgets = {
            "performed_on": DateInput(),
            "reference": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "aborted_reason": forms.Textarea(attrs={"rows": 2}),
            "reflection": forms.Textarea(attrs={"rows": 4}),
            "passes": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 20}),
        }

    def __init__(self, *args, supervisors, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors
        self.fields["site"].queryset = sites
        for name in ("procedure", "trainee_role", "supervision_mode"):
            self.fields[name].widget = forms.RadioSelect(choices=self.fields[name].choices[1:])
        self.fields[
            "final_etici"
        ].help_text = "Required for a thrombectomy. Successful reperfusion is 2b50 or better."
        self.fields["passes"].help_text = "Required for a thrombectomy: 0 if no pass was made."
        self._mark_required_for_thrombectomy()
        for name, message in REQUIRED_MESSAGES.items():
            field = self.fields[name]
            field.error_messages = {**field.error_messages, "required": message}
        for name in (
            "balloon_guide",
            "rescue_therapy",
            "haemorrhage_symptomatic",
            "died_in_hospital",
            "ssnap_entered",
        ):
            self.fields[name] = forms.NullBooleanField(
                label=self.fields[name].label,
                required=False,
                widget=UnknownYesNoSelect,
            )
        for name, field in self.fields.items():
            if name.endswith("_minutes"):
                field.widget.attrs.update({"inputmode": "numeric", "min": 0})
            width = 4 if name.endswith("_minutes") else INPUT_WIDTHS.get(name)
            if width:
                field.widget.attrs["class"] = f"nhsuk-input--width-{width}"

    def _mark_required_for_thrombectomy(self):
        """Final eTICI and passes are refused empty for a thrombectomy (caselogs.validation), so
        they are required whenever the procedure is one: the form refuses them with the same
        words, the control says so to assistive technology, and the label carries no
        "(optional)" (the NHS.UK template pack marks the optional fields). case_form.js keeps
        the label and aria-required in step as the trainee chooses another procedure."""
        is_mt = self["procedure"].value() == c.Procedure.MT
        for name in MT_REQUIRED:
            field = self.fields[name]
            field.required = is_mt
            field.error_messages = {**field.error_messages, "required": MT_REQUIRED_MESSAGES[name]}
            field.widget.attrs["data-required-for"] = c.Procedure.MT
            if is_mt:
                field.widget.attrs["aria-required"] = "true"

    def _post_clean(self):
        # Report the rules across fields together with the field errors, not one round later.
        super()._post_clean()
        for field, message in case_errors(self.instance).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)

    def quick_fields(self):
        return [self[name] for name in QUICK_FIELDS]

    def detail_sections(self):
        return [(title, [self[name] for name in names]) for title, names in DETAIL_SECTIONS]

    def section_has_errors(self, names):
        return any(name in self.errors for name in names)


class VerificationForm(forms.Form):
    """The supervisor's own view first (blind to the trainee's entry), then the decision."""

    role_view = forms.ChoiceField(
        label="The trainee's role, as you saw it",
        choices=c.TraineeRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the trainee's role, as you saw it."},
    )
    mode_view = forms.ChoiceField(
        label="Your supervision, as it was",
        choices=c.SupervisionMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your supervision, as it was."},
    )
    decision = forms.ChoiceField(
        choices=[
            (CaseVerification.Decision.VERIFIED, "Verify: this case is accurate"),
            (CaseVerification.Decision.QUERIED, "Query: send it back with a comment"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select verify or query."},
    )
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[reject_patient_identifiers],
        help_text="Required for a query. The trainee sees it.",
    )


class CaseImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8 CSV, at most {MAX_BYTES // 1024 // 1024} MB and {MAX_ROWS} cases.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Choose the CSV file to upload."},
    )
