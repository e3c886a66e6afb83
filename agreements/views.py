"""Agreement pages: list, detail with its timeline and PDF, the draft form, and lifecycle
actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import add_validation_error
from documents.selectors import document_latest_for_subject
from signoffs.eligibility import step_ids_signable_by
from signoffs.integrity import signoff_request_integrity_problems
from signoffs.selectors import signoff_latest_decline_for_subject, signoff_requests_for_subject

from .forms import AgreementTermsForm, CriterionTargetFormSet, EndEarlyForm, NewAgreementForm
from .selectors import (
    agreement_end_early_refusal,
    agreement_get_for_user,
    agreement_list_for_user,
    agreement_version_for_display,
    user_may_draft_any,
)
from .services import (
    DOCUMENT_KIND,
    SupervisorChoice,
    agreement_amend,
    agreement_create,
    agreement_end_early,
    agreement_version_submit,
    agreement_version_update,
)
from .timeline import agreement_timeline

PAGE_SIZE = 25


def _terms(form) -> dict:
    return {
        k: v
        for k, v in form.cleaned_data.items()
        if k not in {"supervisors", "lead_supervisor", "trainee", "criteria_template"}
    }


def _supervisors(form) -> SupervisorChoice:
    return SupervisorChoice(
        supervisors=list(form.cleaned_data["supervisors"]),
        lead=form.cleaned_data["lead_supervisor"],
    )


@login_required
def agreement_list(request):
    agreements = agreement_list_for_user(user=request.user)
    page = Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "agreements/list.html",
        {"page": page, "may_draft": user_may_draft_any(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request):
    if not user_may_draft_any(request.user):
        raise PermissionDenied
    form = NewAgreementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreement_create(
                actor=request.user,
                trainee=form.cleaned_data["trainee"],
                terms=_terms(form),
                supervisors=_supervisors(form),
                criteria_template=form.cleaned_data["criteria_template"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, "Draft saved. Check the criteria, then submit for signature.")
            return redirect("agreements:edit", pk=agreement.pk)
    return render(request, "agreements/new.html", {"form": form})


@login_required
def agreement_detail(request, pk, number=None):
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    version = agreement_version_for_display(agreement=agreement, number=number)
    requests = list(signoff_requests_for_subject(version))
    current_request = requests[0] if requests else None
    steps = list(current_request.steps.all()) if current_request else []
    may_manage = request.user.has_perm("agreements.manage_agreement", agreement)
    return render(
        request,
        "agreements/detail.html",
        {
            "agreement": agreement,
            "version": version,
            "versions": agreement.versions.order_by("-number"),
            "signoff": current_request,
            "steps": steps,
            "signable_step_ids": step_ids_signable_by(request.user, steps),
            "timeline": agreement_timeline(version, requests),
            "decline": signoff_latest_decline_for_subject(version)
            if version.returned_reason
            else None,
            "document": document_latest_for_subject(DOCUMENT_KIND, version),
            "integrity_problems": signoff_request_integrity_problems(current_request)
            if current_request
            else [],
            "may_manage": may_manage,
            "may_end_early": may_manage and agreement_end_early_refusal(agreement) is None,
        },
    )


def _criteria_initial(version):
    return [
        {"criterion_id": c.pk, "description": c.description, "target": f"{c.target.normalize():f}"}
        for c in version.criteria.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk):
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("agreements.manage_agreement", agreement):
        raise PermissionDenied
    version = agreement_version_for_display(agreement=agreement)
    if not version.is_editable:
        messages.info(request, "This version is frozen; only a draft can be edited.")
        return redirect("agreements:detail", pk=agreement.pk)
    data = request.POST or None
    form = AgreementTermsForm(data, instance=version, user=request.user)
    criteria = CriterionTargetFormSet(data, initial=_criteria_initial(version), prefix="criteria")
    criteria_by_id = {c.pk: c for c in version.criteria.all()}
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        targets = {
            f.cleaned_data["criterion_id"]: f.cleaned_data
            for f in criteria.forms
            if f.cleaned_data.get("criterion_id") in criteria_by_id
        }
        try:
            with transaction.atomic():
                agreement_version_update(
                    actor=request.user,
                    version=version,
                    terms=_terms(form),
                    supervisors=_supervisors(form),
                    criteria_targets=targets,
                )
                if "submit" in request.POST:
                    agreement_version_submit(actor=request.user, version=version)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if "submit" in request.POST:
                messages.success(request, "Submitted. Every party has been asked to sign.")
            else:
                messages.success(request, "Draft saved.")
            return redirect("agreements:detail", pk=agreement.pk)
    for criterion_form in criteria.forms:
        criterion_form.criterion = criteria_by_id.get(criterion_form.initial.get("criterion_id"))
    return render(
        request,
        "agreements/edit.html",
        {
            "agreement": agreement,
            "version": version,
            "form": form,
            "criteria": criteria,
            "decline": signoff_latest_decline_for_subject(version)
            if version.returned_reason
            else None,
        },
    )


@login_required
@require_POST
def agreement_amend_view(request, pk):
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("agreements.manage_agreement", agreement):
        raise PermissionDenied
    try:
        agreement_amend(actor=request.user, agreement=agreement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("agreements:detail", pk=agreement.pk)
    messages.success(
        request,
        "Amendment started. The signed version stays in force until the amendment is signed.",
    )
    return redirect("agreements:edit", pk=agreement.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_end_view(request, pk):
    agreement = agreement_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("agreements.manage_agreement", agreement):
        raise PermissionDenied
    version = agreement_version_for_display(agreement=agreement)
    refusal = agreement_end_early_refusal(agreement)
    if refusal:
        messages.info(request, refusal)
        return redirect("agreements:detail", pk=agreement.pk)
    form = EndEarlyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement_end_early(
                actor=request.user, agreement=agreement, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, "The agreement has ended early. The reason is recorded.")
            return redirect("agreements:detail", pk=agreement.pk)
    return render(
        request, "agreements/end.html", {"agreement": agreement, "version": version, "form": form}
    )
