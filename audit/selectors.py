from django.contrib.auth.models import AnonymousUser, PermissionsMixin
from django.db.models import QuerySet

from .models import AuditEvent


def audit_event_list_for_user(
    *, user: PermissionsMixin | AnonymousUser, verb_prefix: str = ""
) -> QuerySet[AuditEvent]:
    """The whole log for those allowed to read it (administrators); nothing for anyone else."""
    if not user.has_perm("audit.see_audit_log"):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("actor").order_by("-sequence")
    if verb_prefix:
        events = events.filter(verb__startswith=verb_prefix)
    return events
