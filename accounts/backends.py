"""Authentication by e-mail, and the admin site's model permissions for administrators."""

from django.contrib.auth.backends import ModelBackend

from .models import Role
from .selectors import user_has_role

# Django's own per-model permissions, which the admin site asks for. Object permissions (may this
# person see this agreement?) are answered by the rules backend, never here.
_ADMIN_MODEL_ACTIONS = ("add_", "change_", "delete_", "view_")


class EmailMembershipBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = kwargs.get("email", username)
        if email:
            email = email.strip().lower()
        return super().authenticate(request, username=email, password=password, **kwargs)

    def has_perm(self, user_obj, perm, obj=None):
        if super().has_perm(user_obj, perm, obj):
            return True
        if obj is not None or not user_obj.is_active:
            return False
        codename = perm.partition(".")[2]
        return codename.startswith(_ADMIN_MODEL_ACTIONS) and user_has_role(
            user_obj, Role.ADMINISTRATOR
        )

    def has_module_perms(self, user_obj, app_label):
        if super().has_module_perms(user_obj, app_label):
            return True
        return user_obj.is_active and user_has_role(user_obj, Role.ADMINISTRATOR)
