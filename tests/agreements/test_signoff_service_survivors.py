"""The sign-off service, told through an agreement's sign-off: what opening a request freezes and
records, how a second-factor code is read, each refusal's words and the field it belongs beside,
and how a request closes, approved, declined or void (issue 19: tests written for the survivors
of `make mutants MUTANTS='signoffs.services.*'`, docs/testing.md)."""

import logging

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from kombu.exceptions import OperationalError as KombuOperationalError

from agreements.models import VersionStatus
from agreements.services import SIGNOFF_KIND, agreement_version_submit
from audit.models import AuditEvent
from phases.services import progression_request_make
from signoffs import services
from signoffs.models import Signature, SignoffRequest, SignoffStep, content_digest
from signoffs.registry import handler_for
from signoffs.selectors import signoff_requests_for_subject
from signoffs.services import DECLINE_MEANING, SignoffRefused, signoff_request_open, signoff_sign

from ..factories import unused_backup_code
from ..phases.conftest import meet_phase_one, meet_phase_two, small_world_build
from .conftest import World, draft, sign_step, signer_for

pytestmark = pytest.mark.django_db


def _open(world: World) -> SignoffRequest:
    version = draft(world).versions.get()
    return agreement_version_submit(actor=world.training_lead, version=version)


def _events(verb: str, request: SignoffRequest) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(verb=verb, object_id=str(request.pk)).order_by("sequence")
    )


def _refusal(step: SignoffStep, signer: object, **kwargs: str) -> SignoffRefused:
    with pytest.raises(SignoffRefused) as refused:
        signoff_sign(step=step, signer=signer, **kwargs)  # type: ignore[arg-type]  # a refusal test passes non-users too
    return refused.value


# Opening a request.


def test_a_submitted_agreement_opens_a_request_frozen_by_its_digest(world):
    version = draft(world).versions.get()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    request.refresh_from_db()
    content = handler_for(SIGNOFF_KIND).content(version)
    assert (
        request.kind,
        request.subject_type,
        request.subject_id,
        request.about_user,
        request.created_by,
        request.ordered,
        request.status,
        request.closed_at,
        request.content,
        request.digest,
    ) == (
        SIGNOFF_KIND,
        ContentType.objects.get_for_model(version),
        version.pk,
        world.trainee,
        world.training_lead,
        False,
        SignoffRequest.Status.OPEN,
        None,
        content,
        content_digest(content),
    )
    assert request.title == (
        f"Training agreement {version.agreement.reference}, version 1, "
        f"for {world.trainee.full_name}"
    )
    (opened,) = _events("signoff.opened", request)
    steps = list(request.steps.order_by("position"))
    assert (opened.actor, opened.object_type, opened.summary, opened.data) == (
        world.training_lead,
        "signoffs.signoffrequest",
        f"Sign-off opened: {request.title} ({len(steps)} steps)",
        {"digest": request.digest, "kind": SIGNOFF_KIND},
    )


def test_each_step_keeps_its_place_label_meaning_and_who_may_sign(world):
    request = _open(world)
    steps = list(request.steps.order_by("position"))
    assert [step.position for step in steps] == list(range(1, len(steps) + 1))
    assert all(step.status == SignoffStep.Status.PENDING for step in steps)
    trainee = request.steps.get(label="Trainee")
    assert (trainee.named_user, trainee.role, trainee.organisation) == (world.trainee, "", None)
    assert trainee.meaning and not trainee.is_acknowledgement
    director = request.steps.get(label__startswith="Clinical director, Clinical Radiology")
    assert (director.named_user, director.organisation, director.directorate) == (
        None,
        world.employer,
        world.employer_directorate,
    )
    assert director.role == "clinical_director"


def test_a_request_with_no_step_is_refused_and_nothing_is_written(world):
    version = draft(world).versions.get()
    with pytest.raises(ValueError, match=r"^A sign-off request needs at least one step\.$"):
        signoff_request_open(
            kind=SIGNOFF_KIND,
            subject=version,
            title="Nothing to sign",
            steps=[],
            created_by=world.training_lead,
        )
    assert not SignoffRequest.objects.exists()
    assert not AuditEvent.objects.filter(verb="signoff.opened").exists()


# The second factor.


def test_a_backup_code_typed_with_spaces_and_capitals_is_accepted(world):
    request = _open(world)
    code = unused_backup_code(world.trainee)  # "test-0001"
    typed = " " + code.upper()[:4] + " " + code.upper()[4:] + " "
    signature = signoff_sign(
        step=request.steps.get(label="Trainee"),
        signer=world.trainee,
        decision="approve",
        code=typed,
    )
    assert signature.authentication == "password and single-use backup code"


def test_an_authenticator_app_code_is_recorded_as_such(world):
    request = _open(world)
    device = TOTPDevice.objects.create(user=world.trainee, name="phone", confirmed=True)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    signature = signoff_sign(
        step=request.steps.get(label="Trainee"), signer=world.trainee, decision="approve", code=code
    )
    assert signature.authentication == "password and authenticator app code (TOTP)"


@pytest.mark.parametrize("code", ["", "   "])
def test_no_code_is_refused_beside_the_code(world, code):
    request = _open(world)
    refusal = _refusal(
        request.steps.get(label="Trainee"), world.trainee, decision="approve", code=code
    )
    assert (refusal.message, refusal.field) == (
        "Enter the code from your authenticator app to sign.",
        "code",
    )
    assert str(refusal) == refusal.message
    assert not Signature.objects.exists()


def test_a_wrong_code_is_refused_in_words_beside_the_code(world):
    request = _open(world)
    refusal = _refusal(
        request.steps.get(label="Trainee"), world.trainee, decision="approve", code="test-9999"
    )
    assert (refusal.message, refusal.field) == (
        "That code is not right, or it has already been used. Enter the newest code from "
        "your authenticator app.",
        "code",
    )


# The decision and the reason.


def test_a_decision_that_is_neither_approve_nor_decline_is_refused(world):
    request = _open(world)
    step = request.steps.get(label="Trainee")
    refusal = _refusal(
        step, world.trainee, decision="maybe", code=unused_backup_code(world.trainee)
    )
    assert (refusal.message, refusal.field) == (
        "Choose whether you approve or decline.",
        "decision",
    )
    # The code was not spent on a refused decision.
    assert sign_step(world, step).decision == "approve"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decline_needs_a_reason(world, reason):
    request = _open(world)
    step = request.steps.get(label="Trainee")
    refusal = _refusal(
        step,
        world.trainee,
        decision="decline",
        code=unused_backup_code(world.trainee),
        reason=reason,
    )
    assert (refusal.message, refusal.field) == (
        "Give the reason you decline: it is sent back to the author.",
        "reason",
    )
    step.refresh_from_db()
    assert step.status == SignoffStep.Status.PENDING


def test_a_decision_given_with_no_reason_at_all(world):
    """The reason is optional in the call: an approval without one records none, and a decline
    without one is refused as an empty one is."""
    request = _open(world)
    trainee_step = request.steps.get(label="Trainee")
    signature = signoff_sign(
        step=trainee_step,
        signer=world.trainee,
        decision="approve",
        code=unused_backup_code(world.trainee),
    )
    assert signature.reason == ""
    next_step = request.steps.exclude(pk=trainee_step.pk).first()
    signer = signer_for(world, next_step)
    with pytest.raises(SignoffRefused) as refused:
        signoff_sign(
            step=next_step, signer=signer, decision="decline", code=unused_backup_code(signer)
        )
    assert refused.value.field == "reason"


def test_the_reason_is_kept_without_its_surrounding_spaces(world):
    request = _open(world)
    signature = sign_step(
        world, request.steps.get(label="Trainee"), decision="decline", reason="  Wrong dates.\n"
    )
    assert (signature.reason, signature.meaning) == ("Wrong dates.", DECLINE_MEANING)


# How a request closes.


def test_one_signature_of_several_leaves_the_request_open(world):
    request = _open(world)
    sign_step(world, request.steps.get(label="Trainee"))
    request.refresh_from_db()
    assert (request.status, request.closed_at, request.outcome_reason) == (
        SignoffRequest.Status.OPEN,
        None,
        "",
    )
    assert _events("signoff.approved", request) == []


def test_the_last_signature_approves_the_request_and_puts_the_agreement_in_force(
    world, django_capture_on_commit_callbacks
):
    request = _open(world)
    steps = list(request.steps.order_by("position"))
    for step in steps[:-1]:
        sign_step(world, step)
    with django_capture_on_commit_callbacks() as callbacks:
        last = sign_step(world, steps[-1])
    assert callbacks, "the outcome's e-mail was not queued"
    request.refresh_from_db()
    assert request.status == SignoffRequest.Status.APPROVED
    assert request.closed_at is not None and request.outcome_reason == ""
    (approved,) = _events("signoff.approved", request)
    assert (approved.actor, approved.summary) == (
        last.signer,
        f"Sign-off approved: {request.title}",
    )
    request.subject.refresh_from_db()
    assert request.subject.status == VersionStatus.ACTIVE


def test_a_decline_closes_the_request_naming_who_declined_as_what(
    world, django_capture_on_commit_callbacks
):
    request = _open(world)
    step = request.steps.get(label__startswith="Medical director, Northgate")
    with django_capture_on_commit_callbacks() as callbacks:
        signature = sign_step(world, step, decision="decline", reason="No sessions for this.")
    assert callbacks, "the outcome's e-mail was not queued"
    request.refresh_from_db()
    assert request.status == SignoffRequest.Status.DECLINED
    assert request.closed_at is not None
    assert request.outcome_reason == (
        f"Declined by {signature.signer_name} as {signature.signed_as}."
    )
    _, closed = _events("signoff.declined", request)
    assert (closed.actor, closed.summary) == (
        signature.signer,
        f"Sign-off declined: {request.title}",
    )
    request.subject.refresh_from_db()
    assert request.subject.status == VersionStatus.DRAFT
    # Nobody can sign a closed request's other steps.
    refusal = _refusal(
        request.steps.get(label="Trainee"),
        world.trainee,
        decision="approve",
        code=unused_backup_code(world.trainee),
    )
    assert refusal.field is None


def test_a_void_request_says_why_and_returns_the_version_to_draft(world):
    request = _open(world)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agreements_agreementversion SET sessions_per_week = 5 WHERE id = %s",
            [request.subject_id],
        )
    refusal = _refusal(
        request.steps.get(label="Trainee"),
        world.trainee,
        decision="approve",
        code=unused_backup_code(world.trainee),
    )
    assert (refusal.message, refusal.field) == (
        "The content changed after this request was made, so the request is now void. "
        "It must be submitted again.",
        None,
    )
    version = request.subject
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert version.returned_reason == (
        "The subject's content no longer matches what was submitted for signature."
    )
    (void,) = _events("signoff.void", request)
    assert void.summary == f"Sign-off void, content changed: {request.title}"


# In turn: each signature of an ordered request tells the next signer.


def test_each_signature_of_a_request_in_turn_tells_the_next_signer(
    db, django_capture_on_commit_callbacks
):
    world = small_world_build()
    meet_phase_one(world)
    advance = progression_request_make(agreement=world.agreement, actor=world.trainee)
    sign_step(world, signoff_requests_for_subject(advance).get().steps.get())
    meet_phase_two(world)
    independence = progression_request_make(agreement=world.agreement, actor=world.lead_supervisor)
    request = signoff_requests_for_subject(independence).get()
    assert request.ordered
    steps = list(request.steps.order_by("position"))
    # The governance lead's last step is an acknowledgement, not a signature of approval.
    assert [step.is_acknowledgement for step in steps] == [False] * 5 + [True]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign_step(world, steps[0])
    assert [message.to[0] for message in mail.outbox] == [world.second_supervisor.email]


def test_a_signature_of_a_request_in_any_order_tells_nobody_until_it_closes(
    world, django_capture_on_commit_callbacks
):
    request = _open(world)
    with django_capture_on_commit_callbacks() as callbacks:
        sign_step(world, request.steps.get(label="Trainee"))
    assert callbacks == []


# Queuing the e-mail: no result to store, and a broker that cannot be reached is logged, not fatal.


def test_the_email_is_queued_for_the_request_with_no_result_to_store(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    """A result store would make queuing hang while Redis is down (signoffs.services)."""
    queued: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(
        services.signoff_notify_task,
        "apply_async",
        lambda *args, **kwargs: queued.append((args, kwargs)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = _open(world)
    assert queued == [(((request.pk,),), {"ignore_result": True})]


@pytest.mark.parametrize(
    "error",
    [KombuOperationalError("[Errno 111] Connection refused"), ConnectionRefusedError("refused")],
)
def test_a_broker_that_cannot_be_reached_is_logged_naming_the_request(
    world, django_capture_on_commit_callbacks, monkeypatch, caplog, error
):
    def broker_down(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(services.signoff_notify_task, "apply_async", broker_down)
    with (
        caplog.at_level(logging.ERROR, logger="signoffs.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        request = _open(world)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "ERROR",
            f"Could not queue the e-mail for sign-off {request.pk} (the sweep will send it): "
            f"{error}",
        )
    ]


def test_the_agreement_in_force_is_recorded_as_the_last_signers_act(world):
    """The audit log names who completed the agreement by signing its last step (issue 19: the
    sign-off service could hand the outcome nobody as its actor unnoticed)."""
    from audit.models import AuditEvent

    from .conftest import draft, signer_for, submit_and_sign_all

    version, request = submit_and_sign_all(world, draft(world))
    last_step = request.steps.order_by("-signature__signed_at").first()
    event = AuditEvent.objects.get(verb="agreement.activated")
    assert event.actor == signer_for(world, last_step) == last_step.signature.signer
