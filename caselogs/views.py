"""Logbook pages: the case list, quick entry, a case, its correction, and verification."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.forms import add_validation_error
from accounts.models import Role, Site, User
from accounts.selectors import user_roles
from agreements.selectors import active_version_for_trainee, named_supervisors

from . import choices as c
from .filters import CaseFilter
from .forms import CaseForm, VerificationForm
from .history import case_history
from .registry import case_tags_attach
from .selectors import (
    SUMMARY_GROUPS,
    case_counts,
    case_get_for_user,
    case_list_for_user,
    own_case_list_for_user,
    verification_queue_for_user,
    verification_queue_head,
    without_pending_entries_of,
)
from .services import case_correct, case_log, case_verify

PAGE_SIZE = 25
# The columns the logbook table shows: a case has about sixty, and building 25 whole cases with
# their people was most of the page's ORM time (docs/performance.md).
LIST_COLUMNS = (
    "reference",
    "performed_on",
    "procedure",
    "out_of_hours",
    "trainee_role",
    "final_etici",
    "status",
    "revision",
    "supervisor_id",
    "trainee_id",
    "supervisor__full_name",
    "trainee__full_name",
)


class CountedPaginator(Paginator):
    """A paginator told how many objects there are, for a list whose summary has counted them."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count  # shadows the cached property that would run COUNT(*) again


def _form_choices(version):
    return {
        "supervisors": User.objects.filter(
            pk__in=[u.pk for u in named_supervisors(version)]
        ).order_by("full_name"),
        "sites": Site.objects.filter(
            organisation__in=[version.employer_id, version.training_centre_id]
        )
        .select_related("organisation")
        .order_by("name"),
    }


SUMMARY_TITLES = {"by_procedure": "By type", "by_role": "By role", "by_status": "Verification"}


def _summary(counts):
    return [
        (SUMMARY_TITLES[group], [(label, counts[group][value]) for value, label in choices])
        for group, _field, choices in SUMMARY_GROUPS
    ]


@login_required
def case_list(request):
    may_log = Role.TRAINEE in user_roles(request.user)
    if may_log and request.GET.get("trainee") != "all":
        cases = own_case_list_for_user(user=request.user)
    else:
        cases = case_list_for_user(user=request.user)
    if request.GET.get("trainee_role"):
        cases = without_pending_entries_of(cases, request.user)
    filtered = CaseFilter(request.GET or None, queryset=cases.order_by("-performed_on", "-pk"))
    counts = case_counts(filtered.qs, viewer=request.user)
    # The summary has already counted the cases, so the paginator need not count them again.
    rows = (
        filtered.qs.select_related(None).select_related("trainee", "supervisor").only(*LIST_COLUMNS)
    )
    page = CountedPaginator(rows, PAGE_SIZE, count=counts["total"]).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "caselogs/case_list.html",
        {
            "filter": filtered,
            "page": page,
            "summary": _summary(counts),
            "query": query.urlencode(),
            "may_log": may_log,
        },
    )


def _day_to_start_with(given: str | None) -> date:
    """Today, or the day of the case just logged when the trainee adds another."""
    today = timezone.localdate()
    try:
        day = date.fromisoformat(given or "")
    except ValueError:
        return today
    return day if day <= today else today


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    if Role.TRAINEE not in user_roles(request.user):
        raise PermissionDenied
    version = active_version_for_trainee(request.user)
    if version is None:
        return render(request, "caselogs/no_agreement.html", status=200)
    previous = (
        case_list_for_user(user=request.user).filter(trainee=request.user).order_by("-pk").first()
    )
    initial = {"supervisor": previous.supervisor_id, "site": previous.site_id} if previous else {}
    initial["performed_on"] = _day_to_start_with(request.GET.get("performed_on"))
    if request.GET.get("site", "").isdigit():  # a hospital-list entry being logged (issue 16)
        initial["site"] = int(request.GET["site"])
    form = CaseForm(request.POST or None, initial=initial, **_form_choices(version))
    if request.method == "POST" and form.is_valid():
        try:
            case = case_log(trainee=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request, f"Case {case.reference} logged and sent to {case.supervisor} to verify."
            )
            if "another" in request.POST:
                # Cases logged one after another are mostly from the same list or night.
                day = case.performed_on.isoformat()
                return redirect(f"{reverse('caselogs:new')}?performed_on={day}")
            return redirect("caselogs:detail", pk=case.pk)
    return render(request, "caselogs/case_form.html", {"form": form, "version": version})


def _decision_context(case, verifications, user, blind) -> dict:
    """After a supervisor decides, their view beside the trainee's entry (the verify form's
    promise) and the way on: the next case waiting, and the queue."""
    last = verifications[-1] if verifications else None
    if blind or last is None or last.supervisor_id != user.pk or last.revision != case.revision:
        return {}
    head = verification_queue_head(user=user, limit=1)
    return {
        "my_decision": last,
        "next_case": next(iter(head.cases), None),
        "queue_total": head.total,
    }


@login_required
def case_detail(request, pk):
    case = case_get_for_user(user=request.user, pk=pk)
    case_tags_attach([case])
    verifications = list(case.verifications.select_related("supervisor"))
    is_supervisor = case.supervisor_id == request.user.pk and case.trainee_id != request.user.pk
    # The supervisor records their own view first: the trainee's entry stays hidden.
    blind = case.supervisor_id == request.user.pk and case.status == c.VerificationStatus.SUBMITTED
    return render(
        request,
        "caselogs/case_detail.html",
        {
            "case": case,
            "verifications": verifications,
            "history": case_history(case, blind=blind),
            "may_correct": case.trainee_id == request.user.pk,
            "blind": blind,
            "may_verify": is_supervisor and case.status == c.VerificationStatus.SUBMITTED,
            **(
                _decision_context(case, verifications, request.user, blind) if is_supervisor else {}
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = case_get_for_user(user=request.user, pk=pk)
    if case.trainee_id != request.user.pk:
        raise PermissionDenied
    version = active_version_for_trainee(request.user)
    if version is None:
        return render(request, "caselogs/no_agreement.html")
    form = CaseForm(request.POST or None, instance=case, **_form_choices(version))
    if request.method == "POST" and form.is_valid():
        try:
            case = case_correct(case=case, trainee=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, f"Case {case.reference} saved and sent for verification.")
            return redirect("caselogs:detail", pk=case.pk)
    return render(
        request, "caselogs/case_form.html", {"form": form, "case": case, "version": version}
    )


@login_required
def verification_queue(request):
    queue = verification_queue_for_user(user=request.user)
    page = Paginator(queue, 10).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    case_tags_attach(page.object_list)
    # One form per case, each with its own element ids, so every label works its own controls.
    reviews = [(case, VerificationForm(auto_id=f"case{case.pk}_%s")) for case in page]
    return render(request, "caselogs/queue.html", {"page": page, "reviews": reviews})


@login_required
@require_http_methods(["GET", "POST"])
def case_verify_view(request, pk):
    case = case_get_for_user(user=request.user, pk=pk)
    if case.supervisor_id != request.user.pk or case.trainee_id == request.user.pk:
        raise Http404
    form = VerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification = case_verify(
                case=case,
                supervisor=request.user,
                role_view=form.cleaned_data["role_view"],
                mode_view=form.cleaned_data["mode_view"],
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            note = (
                " Your view of the role or supervision differs from the trainee's: the "
                "training lead is told."
                if verification.discordant
                else ""
            )
            decision = verification.get_decision_display().lower()
            messages.success(request, f"Case {case.reference}: {decision}.{note}")
            # The case page shows the trainee's entry beside the view just recorded, as the
            # form promised, with the next case and the queue to go on to.
            return redirect("caselogs:detail", pk=case.pk)
    return render(request, "caselogs/verify.html", {"case": case, "form": form})
