from dataclasses import asdict

from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from accounts.selectors import user_roles
from phases.criteria import FAILURE_KINDS
from phases.selectors import agreement_for_progress, learning_curve_for

from .charts import cusum_chart_svg
from .dashboard import dashboard_for
from .navigation import GOVERNANCE_ROLES
from .reports import curve_rows


@login_required
def dashboard(request):
    if not user_roles(request.user) & GOVERNANCE_ROLES:
        raise PermissionDenied
    return render(request, "governance/dashboard.html", dashboard_for(request.user))


@login_required
def learning_curve(request, pk):
    agreement = agreement_for_progress(user=request.user, pk=pk)
    curve = learning_curve_for(agreement)
    return render(
        request,
        "governance/learning_curve.html",
        {
            "agreement": agreement,
            "curve": curve,
            "rows": curve_rows(curve.values, [asdict(x) for x in curve.crossings]),
            "parameters": curve.parameters,
            "failure_kinds": FAILURE_KINDS,
        },
    )


# matplotlib styles the chart with style attributes; this response is an image of our own making,
# shown through <img>, so only its policy allows them (pages keep the strict one).
@csp_replace({"style-src": ["'self'", "'unsafe-inline'"]})  # type: ignore[arg-type]  # django-csp types a view as taking the request alone
@login_required
def learning_curve_svg(request, pk):
    agreement = agreement_for_progress(user=request.user, pk=pk)
    svg = cusum_chart_svg(
        learning_curve_for(agreement),
        failure_kinds=FAILURE_KINDS,
        title=f"{agreement.trainee.full_name}: learning curve",
        narrow=request.GET.get("size") == "narrow",
    )
    return HttpResponse(svg, content_type="image/svg+xml")
