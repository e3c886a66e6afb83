from django.urls import reverse

from accounts.inbox import InboxSection
from accounts.models import Role, User
from accounts.navigation import NavItem

from .selectors import LIST_READ_ROLES, not_logged_for_trainee

INBOX_LIMIT = 10


def reconciliation_nav_items(user: User, roles: set[str]) -> list[NavItem]:
    if roles & (LIST_READ_ROLES | {Role.ADMINISTRATOR}):
        return [NavItem("Reconciliation", reverse("reconciliation:home"))]
    return []


def not_logged_inbox_section(user: User) -> InboxSection | None:
    """A trainee's hospital-list entries that are not in their logbook ("were you involved?")."""
    if not user.gmc_number:
        return None
    waiting = not_logged_for_trainee(user=user)
    first = list(waiting[: INBOX_LIMIT + 1])
    if not first:
        return None
    total = len(first) if len(first) <= INBOX_LIMIT else waiting.count()
    return InboxSection(
        title="On the hospital's list, not in your logbook",
        template="reconciliation/partials/inbox_not_logged.html",
        context={"operators": first[:INBOX_LIMIT], "total": total},
        count=total,
    )
