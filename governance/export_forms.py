"""The export page's filter form: what may be exported, in which format, narrowed to what.

Every choice it offers starts from the user's own scope (their agreements' organisations and
sites, and ``trainee_list_for_user``), so a value outside it is a form error, never a wider
export (governance/exports.py says how the filters apply)."""

from django import forms
from django.db.models import Q

from accounts.models import Organisation, Site, User
from accounts.widgets import DateInput
from agreements.models import AgreementVersion
from agreements.selectors import agreement_list_for_user
from phases.models import Phase

from .exports import DATASETS, FORMATS
from .selectors import trainee_list_for_user


class ExportForm(forms.Form):
    dataset = forms.ChoiceField(choices=DATASETS.items(), initial="cases")
    format = forms.ChoiceField(choices=FORMATS.items(), initial="csv", widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Any organisation",
        help_text="The employer or training centre on the training agreement.",
    )
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        required=False,
        empty_label="Any site",
        help_text="Where the case was done; for assessments, the site of the observed case.",
    )
    trainee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Any trainee"
    )
    phase = forms.TypedChoiceField(
        choices=[("", "Any phase"), *Phase.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="The phase the trainee was in on the date of the record.",
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput)
    date_to = forms.DateField(label="To", required=False, widget=DateInput)

    FILTERS = ("organisation", "site", "trainee", "phase", "date_from", "date_to")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agreements = agreement_list_for_user(user=user).order_by().values("pk")
        versions = AgreementVersion.objects.filter(agreement__in=agreements)
        organisations = Organisation.objects.filter(
            Q(pk__in=versions.values("employer")) | Q(pk__in=versions.values("training_centre"))
        ).order_by("name")
        self.fields["organisation"].queryset = organisations
        self.fields["site"].queryset = (
            Site.objects.filter(organisation__in=organisations)
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
        self.fields["site"].label_from_instance = lambda site: f"{site.name} ({site.organisation})"
        self.fields["trainee"].queryset = trainee_list_for_user(user=user)
        self.fields["trainee"].label_from_instance = lambda person: person.full_name

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        if data.get("site") and data.get("dataset") == "activities":
            self.add_error("site", "Activities are not recorded at a site: leave this empty.")
        return data

    @property
    def filters(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in self.FILTERS
            if self.cleaned_data.get(name) not in (None, "")
        }

    def filter_query(self) -> dict:
        """The filters as query parameters for the download address."""
        return {name: getattr(value, "pk", value) for name, value in self.filters.items()}
