from django.urls import reverse

from accounts.navigation import NavItem


def agreement_nav_items(user, roles):
    if not roles:
        return []
    return [NavItem("Training agreements", reverse("agreements:list"), "file-earmark-text")]
