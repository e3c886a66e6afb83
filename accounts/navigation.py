"""The navigation bar: only what the signed-in person's roles can use."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from .models import Role, User
from .selectors import ORGANISATION_OVERSIGHT_ROLES, second_factor_satisfied, user_roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


_providers: list = []


def register_nav_items(provider: Callable[[User, set[str]], list[NavItem]]) -> None:
    """Higher apps add their own entries (provider(user, roles) -> list[NavItem]) from ready()."""
    if provider not in _providers:
        _providers.append(provider)


def navigation_for(user: User | AnonymousUser) -> list[NavItem]:
    if not user.is_authenticated or not second_factor_satisfied(user):
        return []
    roles = user_roles(user)
    items = [NavItem("Home", reverse("home"))]
    for provider in _providers:
        items.extend(provider(user, roles))
    if roles:
        items.append(NavItem("Organisations", reverse("accounts:organisation_list")))
    if Role.ADMINISTRATOR in roles:
        items.append(NavItem("Audit log", reverse("audit:event_list")))
        items.append(NavItem("Administration", reverse("admin:index")))
    return items


def role_summary(user: User | AnonymousUser) -> list[str]:
    return sorted({Role(role).label for role in user_roles(user)})


def oversees_any_organisation(user: User | AnonymousUser) -> bool:
    return bool(user_roles(user) & ORGANISATION_OVERSIGHT_ROLES)
