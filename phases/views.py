"""The progress page: phase history, criteria against verified evidence, competencies,
progression requests, the certificate, and a return to an earlier phase."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import add_validation_error
from accounts.models import Role
from accounts.selectors import user_has_role
from agreements.selectors import named_supervisors
from documents.selectors import document_latest_for_subject
from signoffs.eligibility import step_ids_signable_by
from signoffs.selectors import signoff_requests_for_subject

from .certificate import CERTIFICATE_KIND
from .forms import CompetencySignForm, ReturnForm
from .models import Competency, ProgressionRequest
from .selectors import (
    agreement_for_progress,
    competency_signoffs_for,
    phase_history,
    progress_for,
    progression_requests_for,
    version_in_force,
)
from .services import (
    annual_review_request,
    competency_sign,
    phase_return_request,
    progression_request_make,
)


def _may_return(user, version):
    return version is not None and (
        user_has_role(user, Role.CLINICAL_DIRECTOR, version.employer)
        or user_has_role(user, Role.MEDICAL_DIRECTOR, version.employer)
    )


def _requests_with_signoffs(user, agreement):
    rows = []
    for request in progression_requests_for(agreement):
        signoffs = list(signoff_requests_for_subject(request))
        signoff = signoffs[0] if signoffs else None
        steps = list(signoff.steps.all()) if signoff else []
        rows.append(
            {
                "request": request,
                "signoff": signoff,
                "steps": steps,
                "signable_step_ids": step_ids_signable_by(user, steps),
                "certificate": document_latest_for_subject(CERTIFICATE_KIND, request)
                if request.kind == ProgressionRequest.Kind.INDEPENDENCE
                else None,
            }
        )
    return rows


@login_required
def progress(request, pk):
    agreement = agreement_for_progress(user=request.user, pk=pk)
    progress_now = progress_for(agreement)
    version = progress_now.version
    supervisors = named_supervisors(version) if version else []
    signoffs = list(competency_signoffs_for(agreement))
    competencies = [
        {
            "key": key,
            "label": label,
            "signers": [s.supervisor for s in signoffs if s.competency == key],
        }
        for key, label in Competency.choices
    ]
    requests = _requests_with_signoffs(request.user, agreement)
    return render(
        request,
        "phases/progress.html",
        {
            "agreement": agreement,
            "progress": progress_now,
            "history": phase_history(agreement),
            "requests": requests,
            # One open request at a time (a constraint): while it waits, the page says so instead of
            # offering a request the service would refuse.
            "open_request": next(
                (
                    row["request"]
                    for row in requests
                    if row["request"].status == ProgressionRequest.Status.OPEN
                ),
                None,
            ),
            "competencies": competencies,
            "may_request": _may_request(request.user, agreement, supervisors),
            "may_sign_competency": request.user in supervisors,
            "competency_form": CompetencySignForm(),
            "may_return": _may_return(request.user, version),
            "may_review": version is not None
            and (
                _may_return(request.user, version)
                or user_has_role(request.user, Role.GOVERNANCE_LEAD, version.employer)
            ),
            "return_form": ReturnForm(),
        },
    )


def _may_request(user, agreement, supervisors=None) -> bool:
    if supervisors is None:
        version = version_in_force(agreement)
        supervisors = named_supervisors(version) if version else []
    return user.pk == agreement.trainee_id or user in supervisors


@login_required
@require_POST
def request_progression(request, pk):
    agreement = agreement_for_progress(user=request.user, pk=pk)
    # Seeing the agreement is not enough: only the trainee and their named supervisors ask.
    if not _may_request(request.user, agreement):
        raise PermissionDenied
    try:
        progression_request_make(agreement=agreement, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Requested. The criteria and evidence are frozen as judged now; "
            "the signers have been asked.",
        )
    return redirect("phases:progress", pk=agreement.pk)


@login_required
@require_POST
def sign_competency(request, pk):
    agreement = agreement_for_progress(user=request.user, pk=pk)
    version = version_in_force(agreement)
    if version is None or request.user not in named_supervisors(version):
        raise PermissionDenied
    form = CompetencySignForm(request.POST)
    if form.is_valid():
        try:
            competency_sign(
                agreement=agreement,
                supervisor=request.user,
                competency=form.cleaned_data["competency"],
                statement=form.cleaned_data["statement"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Competency signed off.")
    else:
        # Signed inline on the progress page, so each refusal is said at the top of it.
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("phases:progress", pk=agreement.pk)


@login_required
def return_to_phase(request, pk):
    agreement = agreement_for_progress(user=request.user, pk=pk)
    progress_now = progress_for(agreement)
    if not _may_return(request.user, progress_now.version):
        raise PermissionDenied
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phase_return_request(
                agreement=agreement,
                actor=request.user,
                to_phase=form.cleaned_data["to_phase"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request, "Return requested: the clinical director and medical director sign it."
            )
            return redirect("phases:progress", pk=agreement.pk)
    return render(request, "phases/return.html", {"agreement": agreement, "form": form})


@login_required
@require_POST
def request_annual_review(request, pk):
    agreement = agreement_for_progress(user=request.user, pk=pk)
    version = progress_for(agreement).version
    if not (
        _may_return(request.user, version)
        or user_has_role(request.user, Role.GOVERNANCE_LEAD, version.employer if version else None)
    ):
        raise PermissionDenied
    try:
        annual_review_request(agreement=agreement, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Annual review opened with the year's figures: the clinical "
            "director and the governance lead sign it.",
        )
    return redirect("phases:progress", pk=agreement.pk)
