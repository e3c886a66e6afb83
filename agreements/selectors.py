"""Reads for agreements, and the one place that decides who may see which agreement."""

from collections.abc import Collection

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Role, User
from accounts.selectors import membership_list_active_for_user, user_is_administrator

from .models import (
    END_EARLY_FROM,
    IN_FORCE_STATUSES,
    AgreementVersion,
    CriteriaTemplate,
    TrainingAgreement,
    VersionStatus,
)

# Roles that see every agreement touching their organisation (as employer or training centre).
AGREEMENT_OVERSIGHT_ROLES = frozenset(
    {Role.TRAINING_LEAD, Role.CLINICAL_DIRECTOR, Role.MEDICAL_DIRECTOR, Role.GOVERNANCE_LEAD}
)
# Roles that may draft and amend agreements for their organisation.
AGREEMENT_DRAFTING_ROLES = frozenset({Role.TRAINING_LEAD, Role.CLINICAL_DIRECTOR})


def _organisations_with_roles(user: User, roles: Collection[str]) -> set[int]:
    return {m.organisation_id for m in membership_list_active_for_user(user) if m.role in roles}


def agreement_visibility_filter(user: User) -> Q:
    oversight = _organisations_with_roles(user, AGREEMENT_OVERSIGHT_ROLES)
    return (
        Q(trainee=user)
        | Q(versions__supervisors__supervisor=user)
        | Q(versions__employer__in=oversight)
        | Q(versions__training_centre__in=oversight)
    )


def agreement_list_for_user(*, user: User) -> QuerySet[TrainingAgreement]:
    agreements = TrainingAgreement.objects.all()
    if not user_is_administrator(user):
        visible = TrainingAgreement.objects.filter(agreement_visibility_filter(user)).values("pk")
        agreements = agreements.filter(pk__in=visible)
    latest_first = AgreementVersion.objects.select_related("employer", "training_centre").order_by(
        "-number"
    )
    return (
        agreements.select_related("trainee")
        .prefetch_related(
            Prefetch("versions", queryset=latest_first, to_attr="versions_latest_first")
        )
        .order_by("-created_at")
    )


def agreement_get_for_user(*, user: User, pk: int) -> TrainingAgreement:
    return get_object_or_404(agreement_list_for_user(user=user), pk=pk)


def agreement_end_early_refusal(agreement: TrainingAgreement) -> str | None:
    """Why the agreement cannot end early now, in words; None when it can. The one rule: the page
    offers "End early" only when this is None, and agreement_end_early refuses with these words."""
    statuses = set(agreement.versions.values_list("status", flat=True))
    if VersionStatus.AWAITING_SIGNATURES in statuses:
        return (
            "A version of this agreement is awaiting signatures. It can end early once every "
            "party has signed it, or once a party declines it back to a draft."
        )
    if not statuses & set(END_EARLY_FROM):
        return (
            "Only a draft or an agreement in force can end early: "
            "this one is complete or has ended."
        )
    return None


def agreement_version_for_display(
    *, agreement: TrainingAgreement, number: int | None = None
) -> AgreementVersion | None:
    """A version with everything its page shows; by default the newest."""
    versions = (
        AgreementVersion.objects.filter(agreement=agreement)
        .select_related(
            "employer",
            "employer_directorate",
            "training_centre",
            "centre_directorate",
            "governance_lead",
            "supersedes",
            "ended_by",
        )
        .prefetch_related("supervisors__supervisor", "criteria")
        .order_by("-number")
    )
    if number is not None:
        return get_object_or_404(versions, number=number)
    return versions.first()


def user_may_draft_for(user: User, organisation_ids: set[int]) -> bool:
    if user_is_administrator(user):
        return True
    return bool(_organisations_with_roles(user, AGREEMENT_DRAFTING_ROLES) & organisation_ids)


def user_may_draft_any(user: User) -> bool:
    return user_is_administrator(user) or bool(
        _organisations_with_roles(user, AGREEMENT_DRAFTING_ROLES)
    )


def trainee_choices_for(user: User) -> QuerySet[User]:
    """Trainees a drafter may name. A training centre takes trainees employed elsewhere, so this
    is every current trainee for anyone who drafts; the agreement itself must then be for an
    organisation the drafter acts for (checked by the form)."""
    if not user_may_draft_any(user):
        return User.objects.none()
    return users_with_role(Role.TRAINEE)


def users_with_role(role: str) -> QuerySet[User]:
    holders = Membership.objects.active().filter(role=role)
    return User.objects.filter(pk__in=holders.values("user_id"), is_active=True).order_by(
        "full_name"
    )


def active_criteria_templates() -> QuerySet[CriteriaTemplate]:
    return CriteriaTemplate.objects.filter(is_active=True).order_by("name", "-version")


def active_version_for_trainee(trainee: User) -> AgreementVersion | None:
    """The trainee's version in force, if any: what their evidence is logged against. A completed
    agreement stays in force for independent practice (phase 3), whose cases are still logged."""
    return (
        AgreementVersion.objects.filter(agreement__trainee=trainee, status__in=IN_FORCE_STATUSES)
        .select_related("agreement", "employer", "training_centre")
        .prefetch_related("supervisors__supervisor")
        .order_by("-activated_at")
        .first()
    )


def named_supervisors(version: AgreementVersion) -> list[User]:
    return [named.supervisor for named in version.supervisors.all()]
