from django.urls import reverse

from accounts.inbox import InboxSection
from accounts.models import Role, User
from accounts.navigation import NavItem
from accounts.selectors import user_roles

from . import choices as c
from .models import Case
from .selectors import discordant_verifications_for_user, verification_queue_head

INBOX_LIMIT = 10


def logbook_nav_items(user: User, roles: set[str]) -> list[NavItem]:
    items = []
    if roles:
        items.append(NavItem("Logbook", reverse("caselogs:list")))
    return items


def verification_inbox_section(user: User) -> InboxSection | None:
    if Role.SUPERVISOR not in user_roles(user):
        return None
    head = verification_queue_head(user=user, limit=INBOX_LIMIT)
    return InboxSection(
        title="Waiting for your verification",
        template="caselogs/partials/inbox_queue.html",
        context={"cases": head.cases, "total": head.total},
        count=head.total,
    )


def discordance_inbox_section(user: User) -> InboxSection | None:
    if not user_roles(user) & {Role.TRAINING_LEAD, Role.CLINICAL_DIRECTOR}:
        return None
    flagged = list(discordant_verifications_for_user(user=user)[:INBOX_LIMIT])
    return InboxSection(
        title="Verifications where supervisor and trainee differ",
        template="caselogs/partials/inbox_discordant.html",
        context={"verifications": flagged},
        count=len(flagged),
    )


def queried_cases_section(user: User) -> InboxSection | None:
    """A trainee's cases sent back by their supervisor, to amend and resubmit."""
    if Role.TRAINEE not in user_roles(user):
        return None
    queried = list(
        Case.objects.filter(trainee=user, status=c.VerificationStatus.QUERIED).order_by(
            "performed_on"
        )[:INBOX_LIMIT]
    )
    return InboxSection(
        title="Cases queried by your supervisor",
        template="caselogs/partials/inbox_queried.html",
        context={"cases": queried},
        count=len(queried),
    )
