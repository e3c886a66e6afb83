"""The audit report: indicators for a scope and period, each beside its quality standard.

The figures and the standards are frozen in the AuditReport row when it is requested (so a later
edit of a standard, or a late verification, cannot change a report already issued); the PDF is
produced in the background by the documents machinery and only prints the frozen snapshot.
"""

from base64 import b64encode
from dataclasses import asdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from agreements.models import AgreementVersion

from audit.services import audit_event_record
from caselogs.selectors import case_list_for_user, verified_cases
from documents.pdf import document_html
from documents.registry import DocumentKind
from documents.services import document_request
from signoffs.models import content_digest

from .charts import indicators_chart_svg
from .indicators import indicators_for
from .models import AuditReport
from .standards import standard_judge, standards_in_force

REPORT_KIND = "audit_report"
TEMPLATE_VERSION = "audit-report-1"
# Indicator -> standard key, for the judged rows of the report.
JUDGED_ROWS = [
    ("Successful reperfusion (eTICI 2b50 or better)", "successful_reperfusion_percent",
     "successful_reperfusion"),
    ("Any procedural complication", "any_complication_percent", "any_complication_percent"),
    ("90-day mRS 0-2", "mrs_0_2_percent", "mrs_0_2_at_90_days_percent"),
    ("90-day mortality", "mortality_90_days_percent", "mortality_90_days_percent"),
    ("Entered in SSNAP", "ssnap_entered_percent", "ssnap_entered_percent"),
]


def audit_report_request(*, user, period_start: date, period_end: date, organisation=None,
                         trainee=None) -> AuditReport:
    if period_end < period_start:
        raise ValidationError({"period_end": "The end of the period is before its start."})
    cases = verified_cases(case_list_for_user(user=user)).filter(
        performed_on__gte=period_start, performed_on__lte=period_end
    )
    if organisation is not None:
        involved = AgreementVersion.objects.filter(
            Q(employer=organisation) | Q(training_centre=organisation)
        ).values("agreement_id")
        cases = cases.filter(agreement_id__in=involved)
    if trainee is not None:
        cases = cases.filter(trainee=trainee)
    figures = asdict(indicators_for(cases))
    standards = standards_in_force()
    rows = []
    for label, attribute, key in JUDGED_ROWS:
        standard = standards.get(key)
        observed = figures[attribute]
        rows.append({
            "label": label, "observed": observed,
            "standard": standard.target_display if standard else "no standard in force",
            "source": standard.source if standard else "",
            "status": standard.status if standard else "",
            "judgement": standard_judge(standard, observed) if standard else "no standard",
            "target": float(standard.value) if standard and standard.value is not None else None,
        })
    snapshot = {"figures": figures, "judged": rows,
                "standards_version": next(iter(standards.values())).standard_set.version
                if standards else None}
    with transaction.atomic():
        report = AuditReport.objects.create(
            requested_by=user, organisation=organisation, trainee=trainee,
            period_start=period_start, period_end=period_end, snapshot=snapshot,
        )
        audit_event_record(actor=user, verb="audit_report.requested", subject=report,
                           summary=f"{report} requested", data={"mt_cases": figures["mt_cases"]})
        document_request(kind=REPORT_KIND, subject=report,
                         content_digest=content_digest({"report": report.pk, **snapshot}))
    return report


def render_report_html(report, document) -> str:
    chart = indicators_chart_svg(report.snapshot["judged"])
    return document_html("governance/pdf/audit_report.html", {
        "chart_data_uri": "data:image/svg+xml;base64," + b64encode(chart.encode()).decode(),
        "report": report, "figures": report.snapshot["figures"], "judged": report.snapshot["judged"],
        "standards_version": report.snapshot.get("standards_version"),
    }, document=document)


def may_download_report(user, report) -> bool:
    return user.pk == report.requested_by_id or user.has_perm("audit.see_audit_log")


def report_document_kind() -> DocumentKind:
    return DocumentKind(
        key=REPORT_KIND, label="Audit report", render_html=render_report_html,
        person_name=lambda report: str(report.trainee or report.organisation or "Programme"),
        may_download=may_download_report, template_version=TEMPLATE_VERSION,
        title=lambda report: str(report),
    )
