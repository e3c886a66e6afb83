from django.http import HttpRequest

from .navigation import NavItem, navigation_for, role_summary


def navigation(request: HttpRequest) -> dict[str, list[NavItem] | list[str]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_roles": []}
    return {"nav_items": navigation_for(user), "nav_roles": role_summary(user)}
