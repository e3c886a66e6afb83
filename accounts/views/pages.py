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

# Roles whose work is done elsewhere than in an inbox: the panel says where. Every other role's
# home is made of the live sections the apps above register (accounts.inbox).
_INBOX_PANELS = {
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
    return render(request, "accounts/organisation_list.html", {"organisations": organisations})


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
