"""Authentication by e-mail, and the admin site's model permissions for administrators."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django.http import HttpRequest

from .models import Role, User
from .selectors import user_has_role

# Django's own per-model permissions, which the admin site asks for. Object permissions (may this
# person see this agreement?) are answered by the rules backend, never here.
_ADMIN_MODEL_ACTIONS = ("add_", "change_", "delete_", "view_")


class EmailMembershipBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = kwargs.get("email", username)
        if email:
            email = email.strip().lower()
        return super().authenticate(request, username=email, password=password, **kwargs)

    def has_perm(self, user_obj: User | AnonymousUser, perm: str, obj: Model | None = None) -> bool:
        if super().has_perm(user_obj, perm, obj):
            return True
        if obj is not None or not user_obj.is_active:
            return False
        codename = perm.partition(".")[2]
        return codename.startswith(_ADMIN_MODEL_ACTIONS) and user_has_role(
            user_obj, Role.ADMINISTRATOR
        )

    def has_module_perms(self, user_obj: User | AnonymousUser, app_label: str) -> bool:
        if super().has_module_perms(user_obj, app_label):
            return True
        return user_obj.is_active and user_has_role(user_obj, Role.ADMINISTRATOR)
