from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .selectors import audit_event_list_for_user


@login_required
def event_list(request):
    if not request.user.has_perm("audit.see_audit_log"):
        raise PermissionDenied
    # PostgreSQL refuses a NUL in a query parameter (a 500); no verb contains one.
    verb_prefix = request.GET.get("verb", "").replace("\x00", "").strip()[:100]
    events = audit_event_list_for_user(user=request.user, verb_prefix=verb_prefix)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page, "verb_prefix": verb_prefix})
