"""Two sign-off reads whose filters went unchecked (issue 19): which decline an agreement
version's page shows (``signoff_latest_decline_for_subject``: subject type, subject id, decision)
and who is e-mailed to sign a step (``signoff_step_eligible_users``: active accounts only).

The version's own decline is the oldest of the sign-offs here; every later one differs from it in
one way only: an approval of the same version, a decline of another version (same type, another
id), a decline of something else whose id is the version's (another type, same id). A selector that
dropped or emptied any filter would return one of those, or nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Role, User
from agreements.models import AgreementVersion, VersionStatus
from agreements.services import agreement_version_submit
from signoffs.models import Signature
from signoffs.selectors import signoff_latest_decline_for_subject
from signoffs.services import StepSpec, signoff_request_open

from ..conftest import sign_in
from ..factories import OrganisationFactory, make_member
from .conftest import SIGNOFF_TEST_KIND, draft, sign_step

pytestmark = pytest.mark.django_db

# Later than the world was made (its memberships start today), an hour apart each.
START = timezone.now().replace(microsecond=0) + timedelta(days=1)


@pytest.fixture(autouse=True)
def test_kind(signoff_test_kind):
    return signoff_test_kind


def _decide(world, subject, signer, decision, reason="") -> Signature:
    """A one-step request of the test kind about ``subject``, signed by ``signer``."""
    request = signoff_request_open(
        kind=SIGNOFF_TEST_KIND,
        subject=subject,
        title="A decision for the filters' test",
        steps=[StepSpec(label="Decider", meaning="I decide.", named_user=signer)],
        created_by=world.training_lead,
    )
    return sign_step(world, request.steps.get(), decision=decision, reason=reason, signer=signer)


@pytest.fixture
def declined(world):
    """The version declined by its medical director at START + 1 h, with sign-offs around it."""
    version = draft(world).versions.get()
    with time_machine.travel(START, tick=False):
        # Older than the one that counts: the newest decline is wanted.
        _decide(world, version, world.second_supervisor, "decline", "An older reason.")
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        request = agreement_version_submit(actor=world.training_lead, version=version)
        step = request.steps.get(label__startswith="Medical director, Northgate")
        wanted = sign_step(world, step, decision="decline", reason="Backfill is not funded yet.")
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        # The same version, approved: not a decline.
        _decide(world, version, world.lead_supervisor, "approve")
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        # Another version (the same type), declined.
        other_version = AgreementVersion(pk=version.pk + 1000)
        _decide(world, other_version, world.centre_clinical_director, "decline", "Not this one.")
    with time_machine.travel(START + timedelta(hours=4), tick=False):
        # Something else whose id is the version's, declined.
        organisation = OrganisationFactory.build(pk=version.pk)
        _decide(world, organisation, world.centre_medical_director, "decline", "Nor this one.")
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    return version, wanted


def test_the_newest_decline_of_this_subject_only(declined):
    version, wanted = declined
    found = signoff_latest_decline_for_subject(version)
    assert found == wanted
    assert (found.reason, found.signer.full_name, found.decision) == (
        "Backfill is not funded yet.",
        "Dr Employer MD",
        Signature.Decision.DECLINE,
    )


def test_a_subject_with_only_an_approval_has_no_decline(declined, world):
    version, _ = declined
    other = OrganisationFactory.build(pk=version.pk + 2000)
    _decide(world, other, world.governance_lead, "approve")
    assert signoff_latest_decline_for_subject(other) is None


def test_the_version_page_gives_its_own_declines_reason(declined, world, client):
    version, _ = declined
    sign_in(client, world.training_lead)
    page = client.get(f"/agreements/{version.agreement_id}/").content.decode()
    # The returned-for-changes note names the reason of the decline that returned it (the
    # timeline below it lists every decision about the version, the older decline too).
    assert f"{version.returned_reason} Their reason: Backfill is not funded yet.</p>" in page


# Who is e-mailed to sign a step (``signoff_step_eligible_users``): a deactivated account is not,
# whether the step names the person or asks for a role (issue 19: both ``is_active`` filters were
# unchecked).


def test_a_deactivated_account_is_not_asked_to_sign(world, django_capture_on_commit_callbacks):
    left_named = make_member(Role.SUPERVISOR, world.centre, full_name="Dr Departed Named")
    left_director = make_member(Role.MEDICAL_DIRECTOR, world.employer, full_name="Dr Departed MD")
    # Their accounts switched off (as an administrator does when someone leaves); the director's
    # membership is still active, so only the account says they may not sign.
    User.objects.filter(pk__in=[left_named.pk, left_director.pk]).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        signoff_request_open(
            kind=SIGNOFF_TEST_KIND,
            subject=OrganisationFactory.build(pk=1),
            title="A decision for the filters' test",
            steps=[
                StepSpec(label="Named, left", meaning="I decide.", named_user=left_named),
                StepSpec(label="Named", meaning="I decide.", named_user=world.lead_supervisor),
                StepSpec(
                    label="Medical director, Northgate",
                    meaning="I decide.",
                    role=Role.MEDICAL_DIRECTOR,
                    organisation=world.employer,
                ),
            ],
            created_by=world.training_lead,
        )
    assert sorted(
        (m.to[0], m.body.split("You sign as: ")[1].split(".\n")[0]) for m in mail.outbox
    ) == sorted(
        [
            (world.lead_supervisor.email, "Named"),
            (world.employer_medical_director.email, "Medical director, Northgate"),
        ]
    )
