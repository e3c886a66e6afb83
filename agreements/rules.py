"""Object permissions for agreements; each agrees with a selector (tests/agreements prove it)."""

import rules
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.selectors import membership_list_active_for_user, user_is_administrator

from .models import TrainingAgreement
from .selectors import AGREEMENT_OVERSIGHT_ROLES, user_may_draft_for


@rules.predicate
def may_see_agreement(user: User | AnonymousUser, agreement: TrainingAgreement | None) -> bool:
    """Read from the agreement itself, not from the selector: the two are written apart so that
    tests/test_permissions.py, comparing them on agreements built to differ, can catch either one
    drifting (the trainee, anyone named as a supervisor on any version, the oversight roles at
    any version's employer or centre, administrators)."""
    if agreement is None or not getattr(user, "is_authenticated", False):
        return False
    if user_is_administrator(user) or agreement.trainee_id == user.pk:
        return True
    oversight = {
        m.organisation_id
        for m in membership_list_active_for_user(user)
        if m.role in AGREEMENT_OVERSIGHT_ROLES
    }
    for version in agreement.versions.prefetch_related("supervisors"):
        if {version.employer_id, version.training_centre_id} & oversight:
            return True
        if any(named.supervisor_id == user.pk for named in version.supervisors.all()):
            return True
    return False


@rules.predicate
def may_manage_agreement(user: User, agreement: TrainingAgreement | None) -> bool:
    if agreement is None:
        return False
    if user_is_administrator(user):
        return True
    latest = agreement.versions.order_by("-number").first()
    return latest is not None and user_may_draft_for(
        user, {latest.employer_id, latest.training_centre_id}
    )


rules.add_perm("agreements.see_agreement", may_see_agreement)
rules.add_perm("agreements.manage_agreement", may_see_agreement & may_manage_agreement)
