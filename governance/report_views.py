from csp.decorators import csp_replace
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.forms import OnceOnlyFormMixin, add_validation_error
from accounts.models import Organisation, User
from accounts.selectors import organisation_list_for_user, user_roles
from accounts.services import form_submission_claim
from accounts.widgets import DateInput
from documents.selectors import document_latest_for_subject

from .navigation import GOVERNANCE_ROLES
from .reports import (
    REPORT_KIND,
    audit_report_request,
    report_chart_names,
    report_chart_svg,
    report_context,
)
from .selectors import audit_report_get_for_user, audit_report_list_for_user, trainee_list_for_user


class AuditReportForm(OnceOnlyFormMixin, forms.Form):
    organisation: "forms.ModelChoiceField[Organisation]" = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Everything you can see",
    )
    trainee: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="All trainees",
    )
    period_start = forms.DateField(widget=DateInput)
    period_end = forms.DateField(widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_list_for_user(user=user)
        self.fields["trainee"].queryset = trainee_list_for_user(user=user)
        self.fields["trainee"].label_from_instance = lambda person: person.full_name


def _governance_only(user):
    if not user_roles(user) & GOVERNANCE_ROLES:
        raise PermissionDenied


@login_required
def audit_reports(request):
    _governance_only(request.user)
    today = timezone.localdate()
    form = AuditReportForm(
        request.POST or None,
        user=request.user,
        initial={"period_start": today.replace(year=today.year - 1), "period_end": today},
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        token = fields.pop("submission_token")
        try:
            with transaction.atomic():
                if not form_submission_claim(user=request.user, token=token):
                    messages.info(request, "That report was already requested: it is below.")
                    return redirect("governance:reports")
                report = audit_report_request(user=request.user, **fields)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            # The PDF's own state (being produced, or ready to download) is shown on the page.
            messages.success(request, "Report made: its figures are frozen as of now.")
            return redirect("governance:report", pk=report.pk)
    reports = [
        (report, document_latest_for_subject(REPORT_KIND, report))
        for report in audit_report_list_for_user(user=request.user)[:20]
    ]
    return render(request, "governance/reports.html", {"form": form, "reports": reports})


@login_required
def audit_report_detail(request, pk):
    report = audit_report_get_for_user(user=request.user, pk=pk)
    charts = {
        name: reverse("governance:report_chart", args=[report.pk, name])
        for name in report_chart_names(report)
    }
    narrow = {name: f"{url}?size=narrow" for name, url in charts.items()}
    return render(
        request,
        "governance/report_detail.html",
        {
            **report_context(report, charts, narrow),
            # The page adds what print has no use for: the phone's stacked copies and each
            # curve's table of values (the PDF keeps its own layout).
            "on_page": True,
            "document": document_latest_for_subject(REPORT_KIND, report),
        },
    )


# matplotlib styles the chart with style attributes; this response is an image of our own making,
# shown through <img>, so only its policy allows them (pages keep the strict one).
@csp_replace({"style-src": ["'self'", "'unsafe-inline'"]})  # type: ignore[arg-type]  # django-csp types a view as taking the request alone
@login_required
def audit_report_chart(request, pk, name):
    report = audit_report_get_for_user(user=request.user, pk=pk)
    if name not in report_chart_names(report):
        raise Http404
    return HttpResponse(
        report_chart_svg(report, name, narrow=request.GET.get("size") == "narrow"),
        content_type="image/svg+xml",
    )
