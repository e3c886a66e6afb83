from accounts.inbox import InboxSection
from accounts.models import User
from accounts.selectors import user_roles

from .selectors import signoff_steps_awaiting_user

INBOX_LIMIT = 25


def awaiting_signature_section(user: User) -> InboxSection | None:
    """Every role signs something (a trainee signs their own agreement), so everyone with a role
    sees this section, empty or not."""
    if not user_roles(user):
        return None
    steps = list(signoff_steps_awaiting_user(user=user)[:INBOX_LIMIT])
    return InboxSection(
        title="Waiting for your signature",
        template="signoffs/partials/inbox.html",
        context={"steps": steps},
        count=len(steps),
    )
