"""Object permissions. Each "may see" predicate agrees with a selector in selectors.py, and the
permission tests prove they agree."""

import rules

from .models import Organisation, Role, User
from .selectors import organisation_ids_for_user, user_has_role, user_may_see_people_of


@rules.predicate
def is_administrator(user: User) -> bool:
    return user_has_role(user, Role.ADMINISTRATOR)


@rules.predicate
def is_member_of_organisation(user: User, organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.pk in organisation_ids_for_user(user)


@rules.predicate
def oversees_organisation(user: User, organisation: Organisation | None) -> bool:
    return organisation is not None and user_may_see_people_of(user, organisation)


rules.add_perm("accounts.access_admin", rules.is_active & is_administrator)
rules.add_perm("accounts.open_organisation", is_administrator | is_member_of_organisation)
rules.add_perm("accounts.see_organisation_people", oversees_organisation)
rules.add_perm("audit.see_audit_log", is_administrator)
