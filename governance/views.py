from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from csp.decorators import csp_replace
from django.http import HttpResponse
from django.shortcuts import render

from accounts.selectors import user_roles
from phases.criteria import EvidenceScope, mt_failures
from phases.cusum import CusumParameters, cusum_curve
from phases.selectors import agreement_for_progress, current_phase, version_in_force

from .charts import cusum_chart_svg
from .dashboard import dashboard_for
from .navigation import GOVERNANCE_ROLES


@login_required
def dashboard(request):
    if not user_roles(request.user) & GOVERNANCE_ROLES:
        raise PermissionDenied
    return render(request, "governance/dashboard.html", dashboard_for(request.user))


def _cusum_parameters(version) -> CusumParameters:
    """The agreement's own learning-curve parameters, or the defaults (SPEC section 7)."""
    criterion = next((c for c in version.criteria.all() if c.kind == "learning_curve"), None) \
        if version else None
    values = criterion.parameters if criterion else {}
    return CusumParameters(
        p0=float(values.get("p0", 0.15)), p1=float(values.get("p1", 0.30)),
        alpha=float(values.get("alpha", 0.1)), beta=float(values.get("beta", 0.1)),
    )


def _curve_for(agreement):
    version = version_in_force(agreement)
    phase = current_phase(agreement)
    parameters = _cusum_parameters(version)
    scope = EvidenceScope(agreement.pk, agreement.trainee_id,
                          phase.started_on if phase else agreement.created_at.date())
    return cusum_curve(mt_failures(scope), parameters)


@login_required
def learning_curve(request, pk):
    agreement = agreement_for_progress(user=request.user, pk=pk)
    curve = _curve_for(agreement)
    return render(request, "governance/learning_curve.html", {
        "agreement": agreement, "curve": curve, "parameters": curve.parameters,
    })


# matplotlib styles the chart with style attributes; this response is an image of our own making,
# shown through <img>, so only its policy allows them (pages keep the strict one).
@csp_replace({"style-src": ["'self'", "'unsafe-inline'"]})
@login_required
def learning_curve_svg(request, pk):
    agreement = agreement_for_progress(user=request.user, pk=pk)
    svg = cusum_chart_svg(_curve_for(agreement), title=f"{agreement.trainee.full_name}: learning curve")
    return HttpResponse(svg, content_type="image/svg+xml")
