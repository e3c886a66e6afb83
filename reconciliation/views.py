"""Reconciliation's pages: procedure lists (upload, list, detail), a trainee's not-logged entries,
and the quarterly audit samples. Thin: permission, selector, form, service, response."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import add_validation_error

from .forms import ProcedureListForm, SampledCaseForm, SampleDrawForm
from .importer import COLUMNS, MAX_BYTES
from .sample import quarter_of
from .selectors import (
    list_entry_counts,
    list_organisation_ids_for_user,
    list_site_list_for_user,
    not_logged_for_trainee,
    not_logged_get_for_trainee,
    procedure_list_get_for_user,
    procedure_list_list_for_user,
    sample_findings,
    sample_get_for_user,
    sample_list_for_user,
    sample_organisation_list,
    sample_record_organisation_ids_for_user,
    sampled_cases,
)
from .services import (
    audit_sample_draw,
    operator_not_involved,
    procedure_list_import,
    sampled_case_record,
)

PROBLEMS_SHOWN = 500


class _MemoryOnlyUploadHandler(MemoryFileUploadHandler):
    """Keep the upload in memory, whatever its size, up to one byte past the import's limit (the
    importer then refuses it as too large): the procedure list is never written to disk, not even
    to the temporary file Django uses for large uploads."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True

    def receive_data_chunk(self, raw_data, start):
        room = MAX_BYTES + 1 - start
        if room > 0:
            self.file.write(raw_data[:room])
        return None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def reconciliation_home(request):
    """Lists and samples for those who read them."""
    lists = procedure_list_list_for_user(user=request.user)
    samples = sample_list_for_user(user=request.user)
    may_import = bool(list_organisation_ids_for_user(request.user))
    may_draw = bool(sample_record_organisation_ids_for_user(request.user))
    if not (may_import or may_draw or lists.exists() or samples.exists()):
        raise PermissionDenied
    return render(
        request,
        "reconciliation/home.html",
        {
            "lists": lists[:50],
            "samples": samples[:20],
            "may_import": may_import,
            "may_draw": may_draw,
        },
    )


@csrf_exempt
def procedure_list_upload(request):
    # The handlers must be set before anything reads the body, CSRF's check included, so the
    # check runs inside (csrf_protect), as Django's documentation shows.
    request.upload_handlers = [_MemoryOnlyUploadHandler(request)]
    return _procedure_list_upload(request)


@csrf_protect
@login_required
@require_http_methods(["GET", "POST"])
def _procedure_list_upload(request):
    organisation_ids = list_organisation_ids_for_user(request.user)
    _require(bool(organisation_ids))
    sites = list_site_list_for_user(request.user)
    form = ProcedureListForm(request.POST or None, request.FILES or None, sites=sites)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = procedure_list_import(
                user=request.user,
                site=form.cleaned_data["site"],
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if outcome.procedure_list is not None:
                counts = outcome.counts
                messages.success(
                    request,
                    f"{outcome.procedure_list.entry_count} procedures imported and matched: "
                    f"{counts.matched} matched, {counts.probable} probable, "
                    f"{counts.not_on_list} cases not on the list, {counts.not_logged} list "
                    "entries not logged by their trainee."
                    if counts
                    else "Imported.",
                )
                return redirect("reconciliation:list_detail", pk=outcome.procedure_list.pk)
    problems = outcome.problems if outcome else []
    return render(
        request,
        "reconciliation/upload.html",
        {
            "form": form,
            "outcome": outcome,
            "problems": problems[:PROBLEMS_SHOWN],
            "problems_not_shown": max(0, len(problems) - PROBLEMS_SHOWN),
            "columns": COLUMNS,
        },
    )


@login_required
def procedure_list_detail(request, pk):
    procedure_list = procedure_list_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "reconciliation/list_detail.html",
        {"procedure_list": procedure_list, "counts": list_entry_counts(procedure_list)},
    )


@login_required
def not_logged_list(request):
    """A trainee's list entries that are not in their logbook: log each, or say "not involved"."""
    operators = list(not_logged_for_trainee(user=request.user)[:200])
    return render(request, "reconciliation/not_logged.html", {"operators": operators})


@login_required
@require_POST
def not_logged_not_involved(request, pk):
    operator = not_logged_get_for_trainee(user=request.user, pk=pk)
    try:
        operator_not_involved(trainee=request.user, operator=operator)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"Noted: you were not involved in the procedure of "
            f"{operator.entry.performed_on:%d %b %Y}.",
        )
    return redirect("reconciliation:not_logged")


@login_required
def not_logged_log(request, pk):
    """Log a not-logged entry: the case form, opened on its date and site."""
    operator = not_logged_get_for_trainee(user=request.user, pk=pk)
    entry = operator.entry
    return redirect(
        f"{reverse('caselogs:new')}?performed_on={entry.performed_on.isoformat()}"
        f"&site={entry.procedure_list.site_id}"
    )


@login_required
@require_http_methods(["GET", "POST"])
def sample_draw(request):
    organisation_ids = sample_record_organisation_ids_for_user(request.user)
    _require(bool(organisation_ids))
    year, quarter = quarter_of(timezone.localdate())
    previous = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    form = SampleDrawForm(
        request.POST or None,
        organisations=sample_organisation_list(organisation_ids),
        initial={"year": previous[0], "quarter": previous[1]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            sample = audit_sample_draw(
                organisation=form.cleaned_data["organisation"],
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
                percent=form.cleaned_data["percent"],
                minimum=form.cleaned_data["minimum"],
                user=request.user,
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, f"Audit sample drawn: {sample.cases.count()} cases.")
            return redirect("reconciliation:sample_detail", pk=sample.pk)
    return render(request, "reconciliation/sample_draw.html", {"form": form})


@login_required
def sample_detail(request, pk):
    sample = sample_get_for_user(user=request.user, pk=pk)
    cases = sampled_cases(sample)
    return render(
        request,
        "reconciliation/sample_detail.html",
        {
            "sample": sample,
            "sampled": cases,
            "findings": sample_findings(cases),
            "may_record": sample.organisation_id
            in sample_record_organisation_ids_for_user(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sampled_case_edit(request, pk, case_pk):
    sample = sample_get_for_user(user=request.user, pk=pk)
    _require(sample.organisation_id in sample_record_organisation_ids_for_user(request.user))
    sampled = get_object_or_404(sampled_cases(sample), pk=case_pk)
    form = SampledCaseForm(
        request.POST or None,
        initial={"confirmed": sampled.confirmed, "role": sampled.role, "outcome": sampled.outcome},
    )
    if request.method == "POST" and form.is_valid():
        try:
            sampled_case_record(user=request.user, sampled=sampled, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, f"Findings recorded for case {sampled.case_id}.")
            return redirect("reconciliation:sample_detail", pk=sample.pk)
    return render(
        request,
        "reconciliation/sampled_case.html",
        {"sample": sample, "sampled": sampled, "case": sampled.case, "form": form},
    )
