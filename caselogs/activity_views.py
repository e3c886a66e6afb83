"""Pages for activities (logged by the trainee, confirmed by a supervisor) and assessments
(recorded by the supervisor who assessed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import add_validation_error
from accounts.models import Role, User
from accounts.selectors import user_roles
from accounts.services import form_submission_claim
from agreements.selectors import active_version_for_trainee, named_supervisors

from .activity_forms import ActivityDecisionForm, ActivityForm, AssessmentForm
from .activity_services import (
    activity_decide,
    activity_log,
    assessment_record,
    cases_for_assessment,
    trainees_supervised_by,
)
from .models import ActivityKind, AssessmentKind, ConfirmationStatus
from .selectors import activity_list_for_user, assessment_list_for_user

PAGE_SIZE = 25


@login_required
def activity_list(request):
    activities = activity_list_for_user(user=request.user).order_by("-happened_on", "-pk")
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind in ActivityKind.values:
        activities = activities.filter(kind=kind)
    if status in ConfirmationStatus.values:
        activities = activities.filter(status=status)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "caselogs/activity_list.html",
        {
            "page": page,
            "kinds": ActivityKind.choices,
            "statuses": ConfirmationStatus.choices,
            "kind": kind,
            "status": status,
            "decision_form": ActivityDecisionForm(),
            "may_log": Role.TRAINEE in user_roles(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request):
    if Role.TRAINEE not in user_roles(request.user):
        raise PermissionDenied
    version = active_version_for_trainee(request.user)
    if version is None:
        return render(request, "caselogs/no_agreement.html")
    supervisors = User.objects.filter(pk__in=[u.pk for u in named_supervisors(version)])
    form = ActivityForm(request.POST or None, supervisors=supervisors)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if not form_submission_claim(
                    user=request.user, token=form.cleaned_data["submission_token"]
                ):
                    messages.info(
                        request, "That activity was already logged; it is not logged twice."
                    )
                    return redirect("caselogs:activities")
                activity = activity_log(trainee=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, f"{activity} logged; {activity.supervisor} will confirm it.")
            return redirect("caselogs:activities")
    return render(request, "caselogs/activity_form.html", {"form": form})


@login_required
@require_POST
def activity_decide_view(request, pk):
    activity = get_object_or_404(activity_list_for_user(user=request.user), pk=pk)
    if activity.supervisor_id != request.user.pk:
        raise PermissionDenied
    form = ActivityDecisionForm(request.POST)
    if form.is_valid():
        try:
            activity_decide(
                activity=activity,
                supervisor=request.user,
                confirm=form.cleaned_data["confirm"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"{activity}: {'confirmed' if form.cleaned_data['confirm'] else 'queried'}.",
            )
    else:
        # The decision is made inline on the list, so each refusal is said at the top of it.
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("caselogs:activities")


@login_required
def assessment_list(request):
    assessments = assessment_list_for_user(user=request.user).order_by("-assessed_on", "-pk")
    page = Paginator(assessments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "caselogs/assessment_list.html",
        {
            "page": page,
            "may_assess": Role.SUPERVISOR in user_roles(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request):
    if Role.SUPERVISOR not in user_roles(request.user):
        raise PermissionDenied
    trainees = trainees_supervised_by(request.user)
    trainee = None
    if request.GET.get("trainee"):
        trainee_id = request.GET["trainee"]
        # Not a number is no such trainee: the lookup would raise on it (a 500), not miss.
        if not (trainee_id.isascii() and trainee_id.isdigit()):
            raise Http404
        trainee = get_object_or_404(trainees, pk=trainee_id)
    form = None
    if trainee is not None:
        form = AssessmentForm(request.POST or None, cases=cases_for_assessment(trainee))
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    if not form_submission_claim(
                        user=request.user, token=form.cleaned_data["submission_token"]
                    ):
                        messages.info(
                            request,
                            "That assessment was already recorded; it is not recorded twice.",
                        )
                        return redirect("caselogs:assessments")
                    assessment_record(
                        assessor=request.user, trainee=trainee, data=form.cleaned_data
                    )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, f"Assessment recorded for {trainee}.")
                return redirect("caselogs:assessments")
    return render(
        request,
        "caselogs/assessment_form.html",
        {
            "form": form,
            "trainee": trainee,
            "trainees": trainees,
            "kinds": AssessmentKind,
        },
    )
