from django.urls import reverse

from accounts.models import User
from accounts.navigation import NavItem


def agreement_nav_items(user: User, roles: set[str]) -> list[NavItem]:
    if not roles:
        return []
    return [NavItem("Training agreements", reverse("agreements:list"))]
