"""The sign-off engine's integrity checks and who may sign what, told in the words people read
(issue 19: tests written for the survivors of mutation testing, docs/testing.md)."""

import pytest
from django.db import connection

from accounts.models import Role
from accounts.services import membership_create
from agreements.services import agreement_version_submit
from audit.models import AuditEvent
from signoffs.eligibility import step_ids_signable_by
from signoffs.integrity import signoff_integrity_problems, signoff_request_integrity_problems
from signoffs.models import GENESIS_HASH, Signature, SignoffRequest, SignoffStep
from signoffs.services import SignoffRefused

from .conftest import draft, sign_step, submit_and_sign_all

pytestmark = pytest.mark.django_db


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_intact_signed_request_has_no_problem(world):
    _, request = submit_and_sign_all(world, draft(world))
    assert signoff_request_integrity_problems(request) == []
    assert signoff_integrity_problems() == []


def test_an_altered_signature_is_named_by_its_signer_and_no_other(world):
    _, request = submit_and_sign_all(world, draft(world))
    altered = request.signatures.get(sequence=2)
    _sql("UPDATE signoffs_signature SET meaning = %s WHERE id = %s", ["Nothing.", altered.pk])
    assert signoff_request_integrity_problems(request) == [
        f"The signature of {altered.signer_name} was altered."
    ]


def test_a_removed_signature_breaks_the_link_of_the_next(world):
    _, request = submit_and_sign_all(world, draft(world))
    removed, following = request.signatures.filter(sequence__in=[2, 3]).order_by("sequence")
    _sql("DELETE FROM signoffs_signature WHERE id = %s", [removed.pk])
    assert signoff_request_integrity_problems(request) == [
        f"The signature of {following.signer_name} was altered."
    ]
    assert signoff_integrity_problems() == [
        f"signature {following.pk} on request {request.pk} does not follow the signature before "
        "it (a signature was removed or replaced)"
    ]


def test_the_chain_is_followed_in_signing_order_whatever_the_rows_ids(world):
    """A restore or a copy between databases may number rows afresh. A request's chain is the
    order its signatures were made in (their sequence), so renumbered signatures still check
    out, and no intact request is reported broken."""
    _, request = submit_and_sign_all(world, draft(world))
    first = request.signatures.get(sequence=1)
    highest = Signature.objects.order_by("-pk").values_list("pk", flat=True).first()
    _sql("UPDATE signoffs_signature SET id = %s WHERE id = %s", [highest + 100, first.pk])
    assert request.signatures.order_by("pk").first().sequence != 1  # the rows are out of order
    assert signoff_integrity_problems() == []
    assert signoff_request_integrity_problems(request) == []


def test_stored_content_changed_after_approval_is_named(world):
    _, request = submit_and_sign_all(world, draft(world))
    _sql(
        "UPDATE signoffs_signoffrequest SET content = %s WHERE id = %s",
        ['{"terms": "other"}', request.pk],
    )
    assert signoff_integrity_problems() == [
        f"request {request.pk} ({request.title}): its stored content was changed"
    ]


def test_a_signed_subject_that_no_longer_exists_is_named(world):
    _, request = submit_and_sign_all(world, draft(world))
    # The subject is a generic relation (no database foreign key): point it at nothing.
    _sql("UPDATE signoffs_signoffrequest SET subject_id = %s WHERE id = %s", [10**9, request.pk])
    assert signoff_integrity_problems() == [
        f"request {request.pk} ({request.title}): its subject was deleted"
    ]


def test_a_void_request_is_closed_with_its_reason(world):
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    _sql("UPDATE agreements_agreementversion SET sessions_per_week = 5 WHERE id = %s", [version.pk])
    with pytest.raises(SignoffRefused, match="void"):
        sign_step(world, request.steps.get(label="Trainee"))
    request.refresh_from_db()
    assert request.status == SignoffRequest.Status.VOID
    assert request.closed_at is not None
    assert request.outcome_reason == (
        "The subject's content no longer matches what was submitted for signature."
    )
    void = AuditEvent.objects.get(verb="signoff.void")
    assert (void.actor, void.object_type, void.object_id) == (
        world.trainee,
        "signoffs.signoffrequest",
        str(request.pk),
    )


def test_the_steps_offered_to_a_signer_leave_out_what_they_may_not_sign(world):
    """The page offers a 'Sign' button only where signing would be accepted: the signer's own
    step, never a second step of a request they have signed (separation of duties)."""
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    membership_create(
        actor=None,
        user=world.employer_medical_director,
        role=Role.MEDICAL_DIRECTOR,
        organisation=world.centre,
    )
    employer_step = request.steps.get(label__startswith="Medical director, Northgate")
    centre_step = request.steps.get(label__startswith="Medical director, Southbank")
    director = world.employer_medical_director

    def offered(user) -> set[int]:
        return step_ids_signable_by(user, list(request.steps.select_related("request")))

    assert offered(director) == {employer_step.pk, centre_step.pk}
    sign_step(world, employer_step, signer=director)
    assert offered(director) == set()
    assert offered(world.centre_medical_director) == {centre_step.pk}
    assert offered(world.trainee) == {request.steps.get(label="Trainee").pk}


def test_a_signature_records_who_signed_as_what_and_what_it_means(world):
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    step = request.steps.get(label="Trainee")
    signature = sign_step(world, step)
    assert (
        signature.signer_name,
        signature.signer_gmc_number,
        signature.signed_as,
        signature.decision,
        signature.meaning,
        signature.reason,
    ) == (
        world.trainee.full_name,
        world.trainee.gmc_number,
        "Trainee",
        "approve",
        step.meaning,
        "",
    )
    declined = sign_step(
        world,
        request.steps.get(label__startswith="Medical director, Northgate"),
        decision="decline",
        reason="The job plan has no sessions for this.",
    )
    assert (declined.meaning, declined.reason) == (
        "I decline to sign, for the reason I give.",
        "The job plan has no sessions for this.",
    )


def test_a_refusal_carries_its_words_for_the_page(world):
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    step = request.steps.get(label="Trainee")
    sign_step(world, step)
    with pytest.raises(SignoffRefused) as refused:
        sign_step(world, step, signer=world.trainee)
    assert refused.value.message == "This step has already been signed."
    assert refused.value.field is None


def _events(verb: str, request) -> list:
    return list(
        AuditEvent.objects.filter(verb=verb, object_id=str(request.pk)).order_by("sequence")
    )


def test_each_signature_is_chained_authenticated_and_audited(world):
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    step = request.steps.get(label="Trainee")
    first = sign_step(world, step)
    step.refresh_from_db()
    assert (first.sequence, first.previous_hash, first.digest_seen) == (
        1,
        GENESIS_HASH,
        request.digest,
    )
    assert first.authentication == "password and single-use backup code"
    assert step.status == SignoffStep.Status.SIGNED
    (signed,) = _events("signoff.signed", request)
    assert (signed.actor, signed.object_type, signed.data) == (
        world.trainee,
        "signoffs.signoffrequest",
        {"step": step.position, "signature_hash": first.hash},
    )
    assert signed.summary.startswith(f"{world.trainee} signed as Trainee: ")

    declining = request.steps.get(label__startswith="Medical director, Northgate")
    second = sign_step(world, declining, decision="decline", reason="No sessions for this.")
    declining.refresh_from_db()
    assert (second.sequence, second.previous_hash) == (2, first.hash)
    assert declining.status == SignoffStep.Status.DECLINED
    # The step's event, then the request's: one decline closes the request.
    declined, closed = _events("signoff.declined", request)
    assert closed.summary.startswith("Sign-off declined: ")
    assert (declined.actor, declined.data) == (
        second.signer,
        {"step": declining.position, "signature_hash": second.hash},
    )
    assert f"{second.signer} declined as {declining.label}: " in declined.summary
