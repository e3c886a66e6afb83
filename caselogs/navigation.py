from django.urls import reverse

from accounts.inbox import InboxSection
from accounts.models import Role
from accounts.navigation import NavItem
from accounts.selectors import user_roles

from .selectors import discordant_verifications_for_user, verification_queue_for_user

INBOX_LIMIT = 10


def logbook_nav_items(user, roles):
    items = []
    if roles:
        items.append(NavItem("Logbook", reverse("caselogs:list"), "journal-medical"))
    return items


def verification_inbox_section(user):
    if Role.SUPERVISOR not in user_roles(user):
        return None
    queue = verification_queue_for_user(user=user)
    cases = list(queue[:INBOX_LIMIT])
    return InboxSection(
        title="Waiting for your verification",
        template="caselogs/partials/inbox_queue.html",
        context={"cases": cases, "total": queue.count()},
        count=len(cases),
    )


def discordance_inbox_section(user):
    if not user_roles(user) & {Role.TRAINING_LEAD, Role.CLINICAL_DIRECTOR}:
        return None
    flagged = list(discordant_verifications_for_user(user=user)[:INBOX_LIMIT])
    return InboxSection(
        title="Verifications where supervisor and trainee differ",
        template="caselogs/partials/inbox_discordant.html",
        context={"verifications": flagged},
        count=len(flagged),
    )
