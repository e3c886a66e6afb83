from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.forms import add_validation_error
from accounts.selectors import organisation_list_for_user, user_roles
from documents.selectors import document_latest_for_subject

from .models import AuditReport
from .navigation import GOVERNANCE_ROLES
from .reports import REPORT_KIND, audit_report_request


class AuditReportForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, required=False,
                                          empty_label="Everything you can see",
                                          widget=forms.Select(attrs={"class": "form-select"}))
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "class": "form-control"},
                                                          format="%Y-%m-%d"))
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "class": "form-control"},
                                                        format="%Y-%m-%d"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_list_for_user(user=user)


@login_required
def audit_reports(request):
    if not user_roles(request.user) & GOVERNANCE_ROLES:
        raise PermissionDenied
    today = timezone.localdate()
    form = AuditReportForm(request.POST or None, user=request.user, initial={
        "period_start": today.replace(year=today.year - 1), "period_end": today})
    if request.method == "POST" and form.is_valid():
        try:
            audit_report_request(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, "The report is being produced; it appears below when ready.")
            return redirect("governance:reports")
    reports = [
        (report, document_latest_for_subject(REPORT_KIND, report))
        for report in AuditReport.objects.filter(requested_by=request.user)[:20]
    ]
    return render(request, "governance/reports.html", {"form": form, "reports": reports})
