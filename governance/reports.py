"""The audit report: indicators for a scope and period, each beside its quality standard.

The figures and the standards are frozen in the AuditReport row when it is requested (so a later
edit of a standard, or a late verification, cannot change a report already issued); the PDF is
produced in the background by the documents machinery and only prints the frozen snapshot.
"""

from base64 import b64encode
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.models import Organisation, User
from agreements.models import AgreementVersion
from audit.services import audit_event_record
from caselogs.choices import Procedure
from caselogs.selectors import case_list_for_user, verified_cases
from documents.models import GeneratedDocument
from documents.pdf import document_html
from documents.registry import DocumentKind
from documents.services import document_request
from phases.criteria import FAILURE_KINDS
from phases.cusum import Crossing, CusumCurve, CusumParameters
from signoffs.models import content_digest

from .charts import cusum_chart_svg, indicators_chart_svg, times_chart_svg
from .indicators import percent_of
from .models import AuditReport
from .report_figures import report_snapshot
from .selectors import audit_report_list_for_user

REPORT_KIND = "audit_report"
TEMPLATE_VERSION = "audit-report-3"


def audit_report_request(
    *,
    user: User,
    period_start: date,
    period_end: date,
    organisation: Organisation | None = None,
    trainee: User | None = None,
) -> AuditReport:
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
    snapshot = report_snapshot(cases)
    with transaction.atomic():
        report = AuditReport.objects.create(
            requested_by=user,
            organisation=organisation,
            trainee=trainee,
            period_start=period_start,
            period_end=period_end,
            snapshot=snapshot,
        )
        audit_event_record(
            actor=user,
            verb="audit_report.requested",
            subject=report,
            summary=f"{report} requested",
            data={"mt_cases": snapshot["figures"]["mt_cases"]},
        )
        document_request(
            kind=REPORT_KIND,
            subject=report,
            content_digest=content_digest({"report": report.pk, **snapshot}),
        )
    return report


def report_chart_names(report: AuditReport) -> list[str]:
    """The charts a report has: its indicators, its time targets, and one per learning curve."""
    snapshot = report.snapshot
    names = ["indicators"] + (["times"] if snapshot.get("times") else [])
    return names + [f"curve-{i}" for i in range(len(snapshot.get("learning_curves", [])))]


def report_chart_svg(report: AuditReport, name: str, *, narrow: bool = False) -> str:
    """One chart of a report, drawn from its frozen snapshot: the page shows it through its own
    URL (narrow on a phone), the PDF embeds the same SVG."""
    snapshot = report.snapshot
    if name == "indicators":
        return indicators_chart_svg(snapshot["judged"], narrow=narrow)
    if name == "times":
        return times_chart_svg(snapshot["figures"]["intervals"], snapshot["times"], narrow=narrow)
    curve = snapshot["learning_curves"][int(name.removeprefix("curve-"))]
    crossings = tuple(Crossing(**x) for x in curve.get("crossings", []))
    return cusum_chart_svg(
        CusumCurve(CusumParameters(**curve["parameters"]), curve["values"], crossings),
        title=f"{curve['trainee']} ({curve['agreement']}): learning curve",
        # Reports frozen before the failure kinds were recorded used today's definition then.
        failure_kinds=curve.get("failure_kinds", FAILURE_KINDS),
        narrow=narrow,
    )


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + b64encode(svg.encode()).decode()


def curve_rows(values: list[float], crossings: list[dict]) -> list[dict]:
    """A learning curve as the table beside its chart (issue 14, part 4): each case's value and
    the limit it crossed, if any (``crossings`` as dicts of case and limit)."""
    limits = {crossing["case"]: crossing["limit"] for crossing in crossings}
    return [
        {"case": number, "value": value, "crossed": limits.get(number, "")}
        for number, value in enumerate(values, start=1)
    ]


def report_context(report: AuditReport, charts: dict, charts_narrow: dict | None = None) -> dict:
    """What the page and the PDF print; ``charts`` maps each chart's name to its image source,
    ``charts_narrow`` (the page only) to the drawing a phone shows."""
    snapshot = report.snapshot
    charts_narrow = charts_narrow or {}
    curves = [
        {
            **curve,
            "chart": charts[f"curve-{index}"],
            "chart_narrow": charts_narrow.get(f"curve-{index}"),
            "latest_case": curve["crossings"][-1]["case"] if curve.get("crossings") else None,
            "rows": curve_rows(curve["values"], curve.get("crossings", [])),
        }
        for index, curve in enumerate(snapshot.get("learning_curves", []))
    ]
    failure_kinds = next(
        (
            curve["failure_kinds"]
            for curve in snapshot.get("learning_curves", [])
            if "failure_kinds" in curve
        ),
        FAILURE_KINDS,
    )
    return {
        "report": report,
        "figures": snapshot["figures"],
        "judged": snapshot["judged"],
        "times": snapshot.get("times", []),
        "curves": curves,
        "charts": charts,
        "charts_narrow": charts_narrow,
        "failure_kinds": failure_kinds,
        "curves_left_out": snapshot.get("learning_curves_left_out", 0),
        # Each sICH record names its definition; the rate is over every thrombectomy in scope.
        "sich_rates": [
            (label, n, percent_of(n, snapshot["figures"]["mt_cases"]))
            for label, n in snapshot["figures"]["sich_by_definition"].items()
        ],
        "operators": snapshot.get("operators"),
        "operators_left_out": snapshot.get("operators_left_out", 0),
        "standards_version": snapshot.get("standards_version"),
        "not_met": snapshot.get("not_met", 0),
        "volumes": [
            (Procedure(code).label if code in Procedure.values else code, n)
            for code, n in snapshot["figures"]["by_procedure"].items()
        ],
        "completeness": [
            (_sentence_case(label), pct)
            for label, pct in snapshot["figures"]["completeness"].items()
        ],
    }


def _sentence_case(label: str) -> str:
    """ "age (years)" -> "Age (years)", but "mRS at 90 days" and "eTICI ..." keep their case."""
    return label if label[1:2].isupper() else label[:1].upper() + label[1:]


def render_report_html(report: AuditReport, document: GeneratedDocument) -> str:
    charts = {
        name: _data_uri(report_chart_svg(report, name)) for name in report_chart_names(report)
    }
    return document_html(
        "governance/pdf/audit_report.html", report_context(report, charts), document=document
    )


def may_download_report(user: User, report: AuditReport) -> bool:
    return audit_report_list_for_user(user=user).filter(pk=report.pk).exists()


def report_document_kind() -> DocumentKind:
    return DocumentKind(
        key=REPORT_KIND,
        label="Audit report",
        render_html=render_report_html,
        person_name=lambda report: str(report.trainee or report.organisation or "Programme"),
        may_download=may_download_report,
        template_version=TEMPLATE_VERSION,
        title=lambda report: str(report),
    )
