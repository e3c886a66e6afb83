"""Home (each role's inbox) and the organisation pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from ..inbox import inbox_sections_for
from ..models import Role
from ..navigation import role_summary
from ..selectors import (
    membership_list_active_for_user,
    organisation_get_for_user,
    organisation_list_for_user,
    person_list_for_organisation,
    user_may_see_people_of,
    user_roles,
)

# Roles whose inbox has no live section yet: the panel says plainly what will appear there. Roles
# that sign or verify get live sections from signoffs and caselogs instead.
_INBOX_PANELS = {
    Role.GOVERNANCE_LEAD: (
        "Governance",
        "Independence decisions to acknowledge, overdue reviews and audit reports will appear "
        "here.",
    ),
    Role.ADMINISTRATOR: (
        "Programme administration",
        "Manage organisations, people, memberships and templates in the administration pages.",
    ),
}


@login_required
def home(request):
    user = request.user
    roles = user_roles(user)
    panels = [
        {"role": Role(role).label, "title": title, "body": body}
        for role, (title, body) in _INBOX_PANELS.items()
        if role in roles
    ]
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": membership_list_active_for_user(user),
            "inbox_sections": inbox_sections_for(user),
            "panels": panels,
            "role_labels": role_summary(user),
            "organisations": organisation_list_for_user(user=user),
        },
    )


@login_required
def organisation_list(request):
    organisations = organisation_list_for_user(user=request.user)
    if not organisations.exists():
        raise PermissionDenied
    return render(
        request, "accounts/organisation_list.html", {"organisations": organisations}
    )


@login_required
def organisation_detail(request, pk):
    organisation = organisation_get_for_user(user=request.user, pk=pk)
    people = person_list_for_organisation(user=request.user, organisation=organisation)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "people": people,
            "may_see_people": user_may_see_people_of(request.user, organisation),
        },
    )
