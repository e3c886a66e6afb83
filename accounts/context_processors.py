from django.http import HttpRequest

from .navigation import NavItem, navigation_for, role_summary
from .selectors import membership_list_active_for_user


def navigation(request: HttpRequest) -> dict[str, list[NavItem] | list[str] | str]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_roles": [], "nav_organisation": ""}
    # The header names the person's organisation when there is one (NHS.UK header, "with
    # organisation name"); someone working for several shows the service name instead.
    organisations = {m.organisation.name for m in membership_list_active_for_user(user)}
    return {
        "nav_items": navigation_for(user),
        "nav_roles": role_summary(user),
        "nav_organisation": organisations.pop() if len(organisations) == 1 else "",
    }
