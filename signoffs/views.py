from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from .eligibility import step_refusal_reason, user_is_eligible_for_step
from .forms import SignForm
from .integrity import signoff_request_integrity_problems
from .models import SignoffStep
from .registry import handler_for
from .services import SignoffRefused, signoff_sign


@login_required
@require_http_methods(["GET", "POST"])
def sign(request, pk):
    step = get_object_or_404(
        SignoffStep.objects.select_related("request", "request__created_by"), pk=pk
    )
    signoff = step.request
    handler = handler_for(signoff.kind)
    # Those the step is for, and those who may see its subject; to anyone else it does not exist.
    if not (
        user_is_eligible_for_step(request.user, step)
        or handler.may_view(request.user, signoff.subject)
    ):
        raise Http404
    steps = list(signoff.steps.select_related("signature"))
    signed_steps = [s for s in steps if s.status != SignoffStep.Status.PENDING]
    subject_url = handler.subject_url(signoff.subject)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signoff_sign(
                step=step,
                signer=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                code=form.cleaned_data["code"],
            )
        except SignoffRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            if form.cleaned_data["decision"] == "decline":
                messages.success(
                    request,
                    f"You declined {signoff.title}. It has been returned to "
                    f"{signoff.created_by.full_name} with your reason.",
                )
            else:
                messages.success(request, f"Your signature on {signoff.title} is recorded.")
            may_view_subject = handler.may_view(request.user, signoff.subject)
            return redirect(subject_url if subject_url and may_view_subject else "home")
    return render(
        request,
        "signoffs/sign.html",
        {
            "step": step,
            "signoff": signoff,
            "steps": steps,
            "signing_step_id": step.pk,
            "form": form,
            "refusal": step_refusal_reason(request.user, step, signed_steps),
            "needs_second_factor": not user_has_device(request.user, confirmed=True),
            "subject_url": subject_url if handler.may_view(request.user, signoff.subject) else "",
            "subject": signoff.subject,
            "summary_template": handler.summary_template,
            "integrity_problems": signoff_request_integrity_problems(signoff),
        },
    )
