"""Reads about people and organisations, and the one place that decides who sees which of them."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django_otp import user_has_device

from .models import (
    ROLES_REQUIRING_TWO_FACTOR,
    Membership,
    Organisation,
    Role,
    User,
)

# Roles that oversee an organisation's people (and so may see its staff directory).
ORGANISATION_OVERSIGHT_ROLES = frozenset(
    {
        Role.TRAINING_LEAD,
        Role.CLINICAL_DIRECTOR,
        Role.MEDICAL_DIRECTOR,
        Role.GOVERNANCE_LEAD,
        Role.ADMINISTRATOR,
    }
)


def membership_list_active_for_user(user: User | AnonymousUser) -> list[Membership]:
    """The user's memberships valid today, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_active_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.active()
            .filter(user=user)
            .select_related("organisation", "directorate")
            .order_by("organisation__name", "role")
        )
        user._active_memberships = cached  # type: ignore[union-attr]  # a per-request cache
    return cached


def user_has_confirmed_device(user: User) -> bool:
    """Whether the user has a confirmed second-factor device, cached on the user object for the
    request: the two-factor middleware and the navigation both ask. The enrolment views, which
    confirm devices mid-request, ask django_otp directly."""
    cached = getattr(user, "_has_confirmed_device", None)
    if cached is None:
        cached = user._has_confirmed_device = user_has_device(user, confirmed=True)  # type: ignore[attr-defined]  # a per-request cache
    return cached


def user_roles(user: User | AnonymousUser) -> set[str]:
    return {m.role for m in membership_list_active_for_user(user)}


def user_has_role(user: User | AnonymousUser, role: str, organisation: Model | None = None) -> bool:
    return any(
        m.role == role and (organisation is None or m.organisation_id == organisation.pk)
        for m in membership_list_active_for_user(user)
    )


def user_is_administrator(user: User | AnonymousUser) -> bool:
    return user_has_role(user, Role.ADMINISTRATOR)


def user_requires_two_factor(user: User | AnonymousUser) -> bool:
    if user.is_staff or user.is_superuser:
        return True
    return bool(user_roles(user) & ROLES_REQUIRING_TWO_FACTOR)


def second_factor_satisfied(user: User) -> bool:
    """True once the user has given a second factor, or needs none and has not opted in."""
    if user.is_verified():  # type: ignore[attr-defined]  # added by django_otp's OTPMiddleware
        return True
    return not user_requires_two_factor(user) and not user_has_confirmed_device(user)


def organisation_ids_for_user(user: User | AnonymousUser) -> set[int]:
    return {m.organisation_id for m in membership_list_active_for_user(user)}


def organisation_list_for_user(*, user: User) -> QuerySet[Organisation]:
    """Organisations a user may open: their own, or every one for an administrator."""
    organisations = Organisation.objects.all()
    if not user_is_administrator(user):
        organisations = organisations.filter(pk__in=organisation_ids_for_user(user))
    return organisations.order_by("name")


def organisation_get_for_user(*, user: User, pk: int) -> Organisation:
    """One organisation the user may open; any other answers 404, as if it did not exist. Its
    sites and directorates are read once each where the page lists them: prefetching them here
    saves no query (issue 19's mutation run showed nothing could tell)."""
    return get_object_or_404(organisation_list_for_user(user=user), pk=pk)


def organisation_oversight_ids_for_user(user: User | AnonymousUser) -> set[int]:
    return {
        m.organisation_id
        for m in membership_list_active_for_user(user)
        if m.role in ORGANISATION_OVERSIGHT_ROLES
    }


def user_may_see_people_of(user: User | AnonymousUser, organisation: Organisation) -> bool:
    return user_is_administrator(user) or organisation.pk in organisation_oversight_ids_for_user(
        user
    )


def person_list_for_organisation(*, user: User, organisation: Organisation) -> QuerySet[User]:
    """People with a current role at the organisation, for those who oversee it; else nobody."""
    if not user_may_see_people_of(user, organisation):
        return User.objects.none()
    current = Membership.objects.active().filter(organisation=organisation)
    return (
        User.objects.filter(pk__in=current.values("user_id"))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=current.select_related("directorate"),
                to_attr="roles_here",
            )
        )
        .order_by("full_name")
    )
