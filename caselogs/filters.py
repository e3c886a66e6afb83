import django_filters

from accounts.widgets import DateInput

from . import choices as c
from .models import Case

SORTS = {
    "date": ("performed_on", "pk"),
    "-date": ("-performed_on", "-pk"),
    "procedure": ("procedure", "-performed_on"),
    "status": ("status", "-performed_on"),
}


class CaseFilter(django_filters.FilterSet):
    performed_after = django_filters.DateFilter(
        field_name="performed_on",
        lookup_expr="gte",
        label="From",
        widget=DateInput(),
    )
    performed_before = django_filters.DateFilter(
        field_name="performed_on",
        lookup_expr="lte",
        label="To",
        widget=DateInput(),
    )
    procedure = django_filters.ChoiceFilter(choices=c.Procedure.choices, empty_label="Any type")
    trainee_role = django_filters.ChoiceFilter(
        choices=c.TraineeRole.choices, empty_label="Any role", label="Role"
    )
    status = django_filters.ChoiceFilter(
        choices=c.VerificationStatus.choices, empty_label="Any state", label="Verification"
    )
    sort = django_filters.ChoiceFilter(
        choices=[
            ("-date", "Newest first"),
            ("date", "Oldest first"),
            ("procedure", "Type"),
            ("status", "Verification state"),
        ],
        method="sort_by",
        empty_label=None,
        label="Sort",
    )

    class Meta:
        model = Case
        fields = ["performed_after", "performed_before", "procedure", "trainee_role", "status"]

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["-date"]))
