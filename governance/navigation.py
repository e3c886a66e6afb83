from django.urls import reverse

from accounts.models import Role, User
from accounts.navigation import NavItem

GOVERNANCE_ROLES = frozenset(
    {
        Role.GOVERNANCE_LEAD,
        Role.CLINICAL_DIRECTOR,
        Role.MEDICAL_DIRECTOR,
        Role.TRAINING_LEAD,
        Role.ADMINISTRATOR,
    }
)


def governance_nav_items(user: User, roles: set[str]) -> list[NavItem]:
    if roles & GOVERNANCE_ROLES:
        return [NavItem("Governance", reverse("governance:dashboard"))]
    if roles:
        # Trainees and supervisors export their own scope.
        return [NavItem("Exports", reverse("governance:exports"))]
    return []
