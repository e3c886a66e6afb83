from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Directorate, Organisation, Role, User
from accounts.widgets import DateInput
from privacy.identifiers import reject_patient_identifiers

from .models import AgreementVersion, Arrangement, CriteriaTemplate
from .selectors import (
    active_criteria_templates,
    trainee_choices_for,
    user_may_draft_for,
    users_with_role,
)
from .services import TERM_FIELDS


class ReviewDatesField(forms.CharField):
    """Review dates typed one per line (or separated by commas), as YYYY-MM-DD or DD/MM/YYYY."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": "2027-03-01\n2027-09-01"})

    def to_python(self, value):
        text = super().to_python(value) or ""
        dates = []
        for part in text.replace(",", "\n").split():
            for parse in (date.fromisoformat, _uk_date):
                try:
                    dates.append(parse(part))
                    break
                except ValueError:
                    continue
            else:
                raise ValidationError(f"“{part}” is not a date. Use YYYY-MM-DD, one per line.")
        return sorted(set(dates))

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value


def _person_with_gmc(user):
    return f"{user.full_name} (GMC {user.gmc_number})" if user.gmc_number else user.full_name


def _required_message(field: forms.Field, label: str) -> str:
    """What a missing answer's error says, in the design system's words: "Enter the start date",
    "Choose the training centre", not "This field is required"."""
    what = label[:1].lower() + label[1:]
    choosing = isinstance(field.widget, (forms.Select, forms.CheckboxSelectMultiple))
    return f"{'Choose' if choosing else 'Enter'} the {what}."


def _uk_date(text):
    day, month, year = text.split("/")
    return date(int(year), int(month), int(day))


class AgreementTermsForm(forms.ModelForm):
    supervisors: "forms.ModelMultipleChoiceField[User]" = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Interventional neuroradiologists who currently perform thrombectomy.",
    )
    lead_supervisor: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(queryset=None)
    review_dates = ReviewDatesField(
        required=False, help_text="When the agreement will be reviewed; one date per line."
    )
    arrangements = forms.MultipleChoiceField(
        choices=Arrangement.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="How the training is arranged (any that apply).",
    )

    class Meta:
        model = AgreementVersion
        fields = TERM_FIELDS
        widgets = {
            "start_date": DateInput(),
            "backfill_trainee_service": forms.Textarea(attrs={"rows": 3}),
            "backfill_centre": forms.Textarea(attrs={"rows": 3}),
            "independence_local_terms": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "employer": "Employing organisation",
            "employer_directorate": "Trainee's directorate",
            "training_centre": "Training centre",
            "centre_directorate": "Training centre directorate",
            "expected_duration_months": "Expected duration (months)",
            "sessions_per_week": "Training sessions per week",
            "backfill_trainee_service": "Backfill and support for the trainee's own service",
            "backfill_trainee_sessions": "Backfill sessions per week (trainee's service)",
            "backfill_centre": "Support needed by the supervising centre",
            "backfill_centre_sessions": "Support sessions per week (supervising centre)",
            "job_plan_confirmed": "Job plans recognise the elective and emergency commitments of "
            "all consultants involved",
            "service_protection_confirmed": "This arrangement does not compromise the provision of "
            "INR or IR services",
            "independence_local_terms": "Local terms for independence (in addition to the "
            "standard countersignatures)",
            "audit_frequency_months": "Audit after independence every (months)",
            "minimum_mt_per_year": "Thrombectomies a year to keep up in independent practice",
            "governance_lead": "Named governance lead",
        }
        help_texts = {
            "sessions_per_week": "Programmed activities per week, e.g. 2.",
            "minimum_mt_per_year": "Optional. Continued-practice monitoring alerts the governance "
            "lead when the operator's verified thrombectomies over 12 months fall below it.",
            "expected_duration_months": "Likely duration; each phase lasts as long as the "
            "evidence needs.",
            "job_plan_confirmed": "Required before the agreement can be submitted for signature.",
            "service_protection_confirmed": "Required before the agreement can be submitted for "
            "signature.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        supervisors = users_with_role(Role.SUPERVISOR)
        self.fields["supervisors"].queryset = supervisors
        self.fields["lead_supervisor"].queryset = supervisors
        for name in ("supervisors", "lead_supervisor"):
            self.fields[name].label_from_instance = _person_with_gmc
        self.fields["governance_lead"].queryset = users_with_role(Role.GOVERNANCE_LEAD)
        self.fields["employer"].queryset = Organisation.objects.order_by("name")
        self.fields["training_centre"].queryset = Organisation.objects.filter(
            is_training_centre=True
        ).order_by("name")
        directorates = Directorate.objects.select_related("organisation").order_by(
            "organisation__name", "name"
        )
        self.fields["employer_directorate"].queryset = directorates
        self.fields["centre_directorate"].queryset = directorates
        if self.instance.pk:
            named = list(self.instance.supervisors.all())
            self.initial["supervisors"] = [n.supervisor_id for n in named]
            self.initial["lead_supervisor"] = next(
                (n.supervisor_id for n in named if n.is_lead), None
            )
        for name in ("backfill_trainee_service", "backfill_centre"):
            self.fields[name].required = True
        for name, field in self.fields.items():
            field.error_messages["required"] = _required_message(field, str(self[name].label))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Parties",
                "employer",
                "employer_directorate",
                "training_centre",
                "centre_directorate",
                "supervisors",
                "lead_supervisor",
            ),
            Fieldset(
                "Duration and sessions",
                "start_date",
                "expected_duration_months",
                "review_dates",
                "sessions_per_week",
            ),
            Fieldset("Arrangements", "arrangements"),
            Fieldset(
                "Backfill and support",
                "backfill_trainee_service",
                "backfill_trainee_sessions",
                "backfill_centre",
                "backfill_centre_sessions",
            ),
            Fieldset(
                "Statements the guidance requires",
                HTML(
                    '<div class="nhsuk-hint">Both must be confirmed before the '
                    "agreement is submitted for signature.</div>"
                ),
                "job_plan_confirmed",
                "service_protection_confirmed",
            ),
            Fieldset(
                "Independence and governance",
                "independence_local_terms",
                "audit_frequency_months",
                "minimum_mt_per_year",
                "governance_lead",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        errors = {}
        start = cleaned.get("start_date")
        for review in cleaned.get("review_dates") or []:
            if start and review <= start:
                errors["review_dates"] = (
                    f"Review date {review:%d %b %Y} is not after the start date ({start:%d %b %Y})."
                )
                break
        employer, centre = cleaned.get("employer"), cleaned.get("training_centre")
        directorate = cleaned.get("employer_directorate")
        if employer and directorate and directorate.organisation_id != employer.pk:
            errors["employer_directorate"] = f"Choose a directorate of {employer.name}."
        centre_directorate = cleaned.get("centre_directorate")
        if centre and centre_directorate and centre_directorate.organisation_id != centre.pk:
            errors["centre_directorate"] = f"Choose a directorate of {centre.name}."
        supervisors = list(cleaned.get("supervisors") or [])
        lead = cleaned.get("lead_supervisor")
        if lead and supervisors and lead not in supervisors:
            errors["lead_supervisor"] = "The lead supervisor must be one of the named supervisors."
        governance_lead = cleaned.get("governance_lead")
        if (
            governance_lead
            and employer
            and not governance_lead.memberships.active()
            .filter(role=Role.GOVERNANCE_LEAD, organisation=employer)
            .exists()
        ):
            errors["governance_lead"] = f"Choose a governance lead of {employer.name}."
        if employer and centre and not user_may_draft_for(self.user, {employer.pk, centre.pk}):
            errors["employer"] = (
                "You can draft agreements only where you are training lead or clinical director."
            )
        for field, message in errors.items():
            self.add_error(field, message)
        if cleaned.get("review_dates") is not None:
            cleaned["review_dates"] = [d.isoformat() for d in cleaned["review_dates"]]
        return cleaned


class NewAgreementForm(AgreementTermsForm):
    trainee: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        queryset=None, help_text="The consultant IR to be trained."
    )
    criteria_template: "forms.ModelChoiceField[CriteriaTemplate]" = forms.ModelChoiceField(
        queryset=None,
        help_text="Copied into the agreement; you can adjust the figures below "
        "while it is a draft.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["trainee"].queryset = trainee_choices_for(user)
        templates = active_criteria_templates()
        self.fields["criteria_template"].queryset = templates
        if templates:
            self.initial.setdefault("criteria_template", templates[0].pk)
        self.helper.layout.insert(
            0, Fieldset("Trainee and criteria", "trainee", "criteria_template")
        )


class CriterionTargetForm(forms.Form):
    """One criterion's figure and wording, editable while the version is a draft."""

    criterion_id = forms.IntegerField(widget=forms.HiddenInput)
    description = forms.CharField(
        max_length=300,
        validators=[reject_patient_identifiers],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    target = forms.DecimalField(
        min_value=0,
        max_digits=6,
        decimal_places=1,
        localize=False,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-5", "step": "any"}),
    )


# A version has a dozen or so criteria. Without a cap, a posted TOTAL_FORMS of thousands builds
# and renders a thousand blank forms (Django's default absolute_max): seconds of work per request.
MAX_CRITERIA = 100
CriterionTargetFormSet = forms.formset_factory(
    CriterionTargetForm, extra=0, max_num=MAX_CRITERIA, absolute_max=MAX_CRITERIA, validate_max=True
)


class EndEarlyForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        validators=[reject_patient_identifiers],
        help_text="Recorded with your name and shown on the agreement.",
    )
