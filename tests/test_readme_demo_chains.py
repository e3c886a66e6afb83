"""The README's tables of who signs each step of the demo chains name, for every step, an account
that may sign it in the seeded demo: a newcomer who follows them is never refused."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.demo import DEMO_BACKUP_CODES
from accounts.models import User
from agreements.models import TrainingAgreement
from phases.services import progression_request_make
from signoffs.eligibility import step_refusal_reason, user_is_eligible_for_step
from signoffs.models import SignoffStep
from signoffs.selectors import signoff_requests_for_subject
from signoffs.services import signoff_sign

pytestmark = pytest.mark.django_db

SAM_PATEL_TABLE = "Dr Sam Patel's training agreement, awaiting signatures:"
CHRIS_EVANS_TABLE = "Dr Chris Evans's independence, in this order"
SIGNED = "(signed)"


def readme_table(heading: str) -> list[tuple[str, str, bool]]:
    """The (step, e-mail, already signed) rows of the README table that follows ``heading``."""
    lines = (Path(settings.BASE_DIR) / "README.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows: list[tuple[str, str, bool]] = []
    for line in lines[start + 1 :]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        step, signer = (cell.strip() for cell in line.strip().strip("|").split("|"))
        if step == "step" or set(step) == {"-"}:
            continue
        email, _, note = signer.partition(" ")
        rows.append((step, email, note == SIGNED))
    assert rows, f"no table after {heading!r} in the README"
    return rows


def _next_code(user) -> str:
    return next(
        code
        for code in DEMO_BACKUP_CODES
        if user.staticdevice_set.filter(token_set__token=code).exists()
    )


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def test_every_step_of_sam_patels_agreement_names_an_account_that_may_sign_it(demo):
    rows = readme_table(SAM_PATEL_TABLE)
    agreement = TrainingAgreement.objects.get(trainee__email="sam.patel@northfield.example")
    request = signoff_requests_for_subject(agreement.versions.order_by("-number").first()).get()
    steps = {step.label: step for step in request.steps.all()}
    assert [row[0] for row in rows] == list(steps), "the README lists other steps than the demo's"
    signed = [s for s in steps.values() if s.status != SignoffStep.Status.PENDING]
    for label, email, already_signed in rows:
        step, user = steps[label], User.objects.get(email=email)
        if already_signed:
            assert step.signature.signer == user, label
        else:
            assert step.status == SignoffStep.Status.PENDING, label
            assert step_refusal_reason(user, step, signed) is None, (label, email)


def test_every_step_of_chris_evanss_independence_names_an_account_that_may_sign_it(demo):
    rows = readme_table(CHRIS_EVANS_TABLE)
    agreement = TrainingAgreement.objects.get(trainee__email="chris.evans@northfield.example")
    lead = User.objects.get(email=rows[0][1])
    progression = progression_request_make(agreement=agreement, actor=lead)
    request = signoff_requests_for_subject(progression).get()
    steps = list(request.steps.order_by("position"))
    assert [row[0] for row in rows] == [s.label for s in steps], (
        "the README lists other steps, or another order, than the demo's chain"
    )
    # Walk the chain in order as the README says, each step by its account: every one is
    # eligible when its turn comes. The last is only checked (signing it issues the certificate).
    for n, ((label, email, _), step) in enumerate(zip(rows, steps, strict=False)):
        user = User.objects.get(email=email)
        step.refresh_from_db()
        assert user_is_eligible_for_step(user, step), (label, email)
        signed = [
            s
            for s in request.steps.select_related("signature")
            if s.status != SignoffStep.Status.PENDING
        ]
        assert step_refusal_reason(user, step, signed) is None, (label, email)
        if n < len(steps) - 1:
            signoff_sign(step=step, signer=user, decision="approve", code=_next_code(user))
