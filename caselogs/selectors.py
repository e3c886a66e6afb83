"""Reads for the logbook, and the one place that decides who may see which cases.

A trainee sees their own; a supervisor sees the cases of trainees whose agreement names them;
directors, training leads and governance leads see the cases of agreements they oversee;
administrators see all. Only verified cases count as evidence anywhere (``verified_cases``).
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.selectors import user_is_administrator
from agreements.models import TrainingAgreement
from agreements.selectors import agreement_list_for_user

from . import choices as c
from .models import Activity, Assessment, Case, CaseVerification


def _visible_agreements(user: User) -> QuerySet[TrainingAgreement, Any]:
    return agreement_list_for_user(user=user).values("pk")


def case_list_for_user(*, user: User) -> QuerySet[Case]:
    cases = Case.objects.all()
    if not user_is_administrator(user):
        cases = cases.filter(Q(trainee=user) | Q(agreement__in=_visible_agreements(user)))
    return cases.select_related("trainee", "site", "supervisor")


def own_case_list_for_user(*, user: User) -> QuerySet[Case]:
    """The cases this person logged as the trainee: their own logbook. Always within
    ``case_list_for_user``; asked for on its own because, without the union with overseen
    agreements, PostgreSQL reads a page of it straight from the (trainee, day) index. Its one
    caller, the logbook page, chooses its own columns and joins, so none are chosen here."""
    return Case.objects.filter(trainee=user)


def case_get_for_user(*, user: User, pk: int) -> Case:
    return get_object_or_404(case_list_for_user(user=user), pk=pk)


def verified_cases(queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The only cases that count toward criteria, reports and curves."""
    return (queryset if queryset is not None else Case.objects.all()).filter(
        status=c.VerificationStatus.VERIFIED
    )


def with_verified_view(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate each case with the role and supervision its supervisor recorded when verifying the
    current revision. Where the two views differ, the supervisor's is the verified one: criteria
    count it, not the trainee's entry."""
    verification = CaseVerification.objects.filter(
        case=OuterRef("pk"),
        revision=OuterRef("revision"),
        decision=CaseVerification.Decision.VERIFIED,
    )
    return cases.annotate(
        verified_role=Subquery(verification.values("supervisor_view_of_role")[:1]),
        verified_mode=Subquery(verification.values("supervisor_view_of_mode")[:1]),
    )


def without_pending_entries_of(cases: QuerySet[Case], supervisor: User) -> QuerySet[Case]:
    """Leave out the cases waiting for this supervisor's own view, so no list, filter or count
    tells them what the trainee entered before they decide."""
    return cases.exclude(supervisor=supervisor, status=c.VerificationStatus.SUBMITTED)


def verification_queue_for_user(*, user: User) -> QuerySet[Case]:
    """Cases waiting for this supervisor's decision, oldest first."""
    return (
        Case.objects.filter(supervisor=user, status=c.VerificationStatus.SUBMITTED)
        .exclude(trainee=user)
        .select_related("trainee", "site")
        .order_by("submitted_at", "pk")
    )


@dataclass(frozen=True)
class QueueHead:
    """The first cases of a supervisor's queue and how many wait in all: the home badge and the
    link to the rest read both from here, so they cannot disagree."""

    cases: list[Case]
    total: int


def verification_queue_head(*, user: User, limit: int) -> QueueHead:
    queue = verification_queue_for_user(user=user)
    cases = list(queue[:limit])
    # Fewer than the limit is the whole queue; only a full head needs counting.
    total = len(cases) if len(cases) < limit else queue.count()
    return QueueHead(cases=cases, total=total)


SUMMARY_GROUPS = (
    ("by_procedure", "procedure", c.Procedure.choices),
    ("by_role", "trainee_role", c.TraineeRole.choices),
    ("by_status", "status", c.VerificationStatus.choices),
)


def case_counts(cases: QuerySet[Case], *, viewer: User | None = None) -> dict:
    """The logbook summary in one query: the total, and counts by type, role and verification
    state. With ``viewer``, roles are not counted for cases waiting for that supervisor's own view
    (``without_pending_entries_of``), so no count tells them what the trainee entered."""
    pending_for_viewer = Q(supervisor=viewer, status=c.VerificationStatus.SUBMITTED)
    aggregates = {"total": Count("pk")}
    for group, field, choices in SUMMARY_GROUPS:
        for value, _label in choices:
            counted = Q(**{field: value})
            if group == "by_role" and viewer is not None:
                counted &= ~pending_for_viewer
            aggregates[f"{group}__{value}"] = Count("pk", filter=counted)
    row = cases.order_by().aggregate(**aggregates)
    counts = {"total": row["total"]}
    for group, _field, choices in SUMMARY_GROUPS:
        counts[group] = {value: row[f"{group}__{value}"] for value, _label in choices}
    return counts


def discordant_verifications_for_user(*, user: User) -> QuerySet[CaseVerification]:
    """Verifications where the supervisor's view differed from the trainee's, for the training
    leads and directors who oversee the agreement."""
    return (
        CaseVerification.objects.filter(
            discordant=True, case__agreement__in=_visible_agreements(user)
        )
        .exclude(case__trainee=user)
        .exclude(supervisor=user)
        .select_related("case", "case__trainee", "supervisor")
        .order_by("-decided_at")
    )


def activity_list_for_user(*, user: User) -> QuerySet[Activity]:
    activities = Activity.objects.all()
    if not user_is_administrator(user):
        activities = activities.filter(Q(trainee=user) | Q(agreement__in=_visible_agreements(user)))
    return activities.select_related("trainee", "supervisor")


def assessment_list_for_user(*, user: User) -> QuerySet[Assessment]:
    assessments = Assessment.objects.all()
    if not user_is_administrator(user):
        assessments = assessments.filter(
            Q(trainee=user) | Q(agreement__in=_visible_agreements(user))
        )
    return assessments.select_related("trainee", "assessor", "case")
