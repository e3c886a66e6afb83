"""Object permissions for agreements; each agrees with a selector (tests/agreements prove it)."""

import rules

from accounts.selectors import user_is_administrator

from .selectors import agreement_list_for_user, user_may_draft_for


@rules.predicate
def may_see_agreement(user, agreement):
    return agreement is not None and agreement_list_for_user(user=user).filter(pk=agreement.pk).exists()


@rules.predicate
def may_manage_agreement(user, agreement):
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
