"""Reads: which steps wait on a person, and which requests a person may open."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from accounts.models import Membership, User
from accounts.selectors import membership_list_active_for_user

from .models import Signature, SignoffRequest, SignoffStep


def _eligibility_filter(user: User) -> Q:
    by_role = Q(pk__in=[])
    for m in membership_list_active_for_user(user):
        same_directorate = Q(directorate__isnull=True) | Q(directorate_id=m.directorate_id)
        by_role |= Q(role=m.role, organisation_id=m.organisation_id) & same_directorate
    return Q(named_user=user) | (Q(named_user__isnull=True) & by_role)


def signoff_steps_awaiting_user(*, user: User) -> QuerySet[SignoffStep]:
    """Open steps this person could sign now, oldest request first.

    Left out: steps of ordered requests whose earlier steps are unsigned, requests the person has
    already signed, and requests about them at steps not named for them.
    """
    earlier_unsigned = SignoffStep.objects.filter(
        request=OuterRef("request"),
        status=SignoffStep.Status.PENDING,
        position__lt=OuterRef("position"),
    )
    return (
        SignoffStep.objects.filter(
            _eligibility_filter(user),
            status=SignoffStep.Status.PENDING,
            request__status=SignoffRequest.Status.OPEN,
        )
        .filter(Q(request__ordered=False) | ~Exists(earlier_unsigned))
        .exclude(request__signatures__signer=user)
        .exclude(Q(request__about_user=user) & ~Q(named_user=user))
        .select_related("request", "request__created_by")
        .order_by("request__created_at", "position")
    )


def signoff_step_eligible_users(step: SignoffStep) -> QuerySet[User]:
    if step.named_user_id:
        return User.objects.filter(pk=step.named_user_id, is_active=True)
    holders = Membership.objects.active().filter(role=step.role, organisation=step.organisation)
    if step.directorate_id:
        holders = holders.filter(directorate=step.directorate_id)
    return User.objects.filter(pk__in=holders.values("user_id"), is_active=True)


def signoff_requests_for_subject(subject: Model) -> QuerySet[SignoffRequest]:
    """Newest first, each with its steps and their signatures (the pages and PDFs show each
    step's label and signature; none reads a step's named person or organisation)."""
    return (
        SignoffRequest.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )
        .prefetch_related("steps__signature")
        .order_by("-created_at")
    )


def signoff_latest_decline_for_subject(subject: Model) -> Signature | None:
    """The newest declining signature on any request about ``subject``: where its reason lives
    (copies elsewhere hold only the app's words, so a redaction reaches every place it showed)."""
    return (
        Signature.objects.filter(
            request__subject_type=ContentType.objects.get_for_model(subject),
            request__subject_id=subject.pk,
            decision=Signature.Decision.DECLINE,
        )
        .order_by("-signed_at")
        .first()
    )
