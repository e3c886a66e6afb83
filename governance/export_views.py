"""The exports page and the download. Scope, filters, rows, writers and audit are in ``exports``."""

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.selectors import user_roles

from .export_forms import ExportForm
from .exports import DATASETS, FORMATS, csv_stream, xlsx_file

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _roles_or_403(user) -> set[str]:
    roles = user_roles(user)
    if not roles:
        raise PermissionDenied
    return roles


def _page(request, form, roles, status=200):
    return render(
        request,
        "governance/exports.html",
        {
            "form": form,
            "trainee": Role.TRAINEE in roles,
            "supervisor": Role.SUPERVISOR in roles,
        },
        status=status,
    )


@login_required
@require_GET
def export_page(request):
    roles = _roles_or_403(request.user)
    form = ExportForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        url = reverse(
            "governance:export_download",
            kwargs={"dataset": form.cleaned_data["dataset"], "fmt": form.cleaned_data["format"]},
        )
        query = urlencode(form.filter_query())
        return redirect(f"{url}?{query}" if query else url)
    return _page(request, form, roles)


@login_required
@require_GET
def export_download(request, dataset, fmt):
    roles = _roles_or_403(request.user)
    if dataset not in DATASETS or fmt not in FORMATS:
        raise Http404
    data = request.GET.copy()
    data["dataset"], data["format"] = dataset, fmt
    form = ExportForm(data, user=request.user)
    if not form.is_valid():
        return _page(request, form, roles, status=400)
    filename = f"{dataset}-{date.today():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_stream(user=request.user, dataset=dataset, filters=form.filters),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    else:
        output, _ = xlsx_file(user=request.user, dataset=dataset, filters=form.filters)
        response = FileResponse(
            output, as_attachment=True, filename=filename, content_type=XLSX_TYPE
        )
    response["Cache-Control"] = "no-store"
    return response
