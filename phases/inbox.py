from accounts.inbox import InboxSection
from accounts.models import Role, User
from accounts.selectors import user_roles
from agreements.models import TrainingAgreement

from .selectors import progress_for


def training_section(user: User) -> InboxSection | None:
    """A trainee's own standing: their phase and how many of its criteria are met."""
    if Role.TRAINEE not in user_roles(user):
        return None
    rows = []
    for agreement in TrainingAgreement.objects.filter(trainee=user).order_by("-created_at")[:3]:
        progress = progress_for(agreement)
        if progress.phase is None:
            continue
        met = sum(item.met for item in progress.items)
        rows.append(
            {"agreement": agreement, "progress": progress, "met": met, "total": len(progress.items)}
        )
    return InboxSection(
        title="Your training",
        template="phases/partials/inbox_training.html",
        context={"rows": rows},
        count=len(rows),
    )
