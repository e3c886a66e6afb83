"""Who may sign which step: the rules of eligibility and separation of duties, in one place."""

from accounts.models import User
from accounts.selectors import membership_list_active_for_user

from .models import SignoffStep


def user_is_eligible_for_step(user: User, step: SignoffStep) -> bool:
    if step.named_user_id is not None:
        return step.named_user_id == user.pk
    return any(
        m.role == step.role
        and m.organisation_id == step.organisation_id
        and (step.directorate_id is None or m.directorate_id == step.directorate_id)
        for m in membership_list_active_for_user(user)
    )


def step_refusal_reason(
    user: User, step: SignoffStep, signed_steps: list[SignoffStep]
) -> str | None:
    """Why this user may not sign this step now, in words; None when they may.

    ``signed_steps`` are the request's steps that already carry a signature, with it loaded.
    """
    request = step.request
    if not request.is_open:
        return (
            f"This request is {request.get_status_display().lower()}; it can no longer be signed."
        )
    if step.status != SignoffStep.Status.PENDING:
        return "This step has already been signed."
    if not user_is_eligible_for_step(user, step):
        # The label as written: it names an organisation ("Medical director, Northgate ...").
        return f"You are not eligible to sign this step, which is for: {step.label}."
    if request.about_user_id == user.pk and step.named_user_id != user.pk:
        return "You cannot sign a decision about yourself."
    if any(s.signature.signer_id == user.pk for s in signed_steps):
        return (
            "You have already signed another step of this request. Each step needs a different "
            "person."
        )
    if request.ordered:
        earlier = [
            s.label
            for s in request.steps.all()
            if s.position < step.position and s.status == SignoffStep.Status.PENDING
        ]
        if earlier:
            return "Earlier steps must be signed first: " + ", ".join(earlier) + "."
    return None


def step_ids_signable_by(user: User, steps: list[SignoffStep]) -> set[int]:
    """Of one request's steps (signatures loaded), those this user could sign now."""
    signed = [s for s in steps if s.status != SignoffStep.Status.PENDING]
    return {s.pk for s in steps if step_refusal_reason(user, s, signed) is None}
