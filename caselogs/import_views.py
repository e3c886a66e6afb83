"""The CSV import pages (SPEC 4.4): the template download, and the upload that checks and saves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.selectors import user_roles
from agreements.selectors import active_version_for_trainee

from .forms import CaseImportForm
from .import_cells import MULTI_SEPARATOR
from .import_guide import column_guide, template_csv
from .importer import MAX_ROWS, case_import

PROBLEMS_SHOWN = 1000


def _require_trainee(user):
    if Role.TRAINEE not in user_roles(user):
        raise PermissionDenied


@login_required
@require_GET
def case_import_template(request):
    _require_trainee(request.user)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="logbook-import-template.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def case_import_view(request):
    _require_trainee(request.user)
    version = active_version_for_trainee(request.user)
    if version is None:
        return render(request, "caselogs/no_agreement.html")
    form = CaseImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = case_import(trainee=request.user, upload=form.cleaned_data["file"])
        if outcome.saved:
            count = len(outcome.saved)
            messages.success(
                request,
                f"{count} case{'s' if count != 1 else ''} imported and sent to your supervisors "
                "to verify.",
            )
            return redirect("caselogs:list")
    return render(
        request,
        "caselogs/import.html",
        {
            "form": form,
            "outcome": outcome,
            "problems": outcome.problems[:PROBLEMS_SHOWN] if outcome else [],
            "problems_not_shown": max(0, len(outcome.problems) - PROBLEMS_SHOWN) if outcome else 0,
            "guide": column_guide(version),
            "separator": MULTI_SEPARATOR,
            "max_rows": MAX_ROWS,
        },
    )
