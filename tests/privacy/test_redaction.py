"""Redaction of an identifier that slipped in, keeping every chain: the audit log still verifies,
every signature still verifies, /verify still says valid, and the scan comes back clean.

An identifier can only be stored if it got past the guard (written before a rule existed, or in a
rule's blind spot). `guard_off` stands for that: the row is written with the guard disconnected.
"""

from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db.models.signals import pre_save

from audit.models import AuditEvent, Redaction
from audit.redaction import RedactionRefused, text_redact
from documents.models import GeneratedDocument
from documents.services import document_render
from phases.models import ProgressionRequest
from phases.services import phase_return_request, progression_request_make
from privacy.commitments import REDACTED
from privacy.guard import guard_free_text_before_save
from signoffs.integrity import signoff_integrity_problems
from signoffs.models import Signature
from signoffs.selectors import signoff_requests_for_subject

from ..agreements.conftest import sign_step
from ..phases.conftest import meet_phase_one, small_world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_world(db):
    return small_world_build()


SLIPPED_IN = "Agreed, as discussed with Mr John Brown's family on the ward."


@contextmanager
def guard_off():
    pre_save.disconnect(guard_free_text_before_save, dispatch_uid="privacy.guard")
    try:
        yield
    finally:
        pre_save.connect(guard_free_text_before_save, dispatch_uid="privacy.guard")


def to_phase_two(world, reason=""):
    meet_phase_one(world)
    advance = progression_request_make(agreement=world.agreement, actor=world.trainee)
    step = signoff_requests_for_subject(advance).get().steps.get()
    return sign_step(world, step, reason=reason)


def scan_exit_code():
    with pytest.raises(SystemExit) as exited:
        call_command("scan_identifiers")
        raise SystemExit(0)
    return exited.value.code


def test_redacting_a_signature_reason_and_a_return_reason_keeps_every_chain(small_world, client):
    world = small_world
    document = GeneratedDocument.objects.get(kind="agreement")
    document_render(document_id=document.pk)
    with guard_off():
        slipped_signature = to_phase_two(world, reason=SLIPPED_IN)
        back = phase_return_request(
            agreement=world.agreement,
            actor=world.employer_clinical_director,
            to_phase=1,
            reason=f"Concerns: {SLIPPED_IN}",
        )
    assert scan_exit_code() == 1

    text_redact(
        actor=world.administrator,
        model=Signature,
        object_id=slipped_signature.pk,
        fields=["reason"],
        reason=Redaction.Reason.PATIENT_IDENTIFIER,
    )
    text_redact(
        actor=world.administrator,
        model=ProgressionRequest,
        object_id=back.pk,
        fields=["reason"],
        reason=Redaction.Reason.PATIENT_IDENTIFIER,
    )

    slipped_signature = Signature.objects.get(pk=slipped_signature.pk)
    assert slipped_signature.reason == REDACTED
    assert slipped_signature.compute_hash() == slipped_signature.hash
    back.refresh_from_db()
    assert back.reason == REDACTED
    assert not back.history.filter(reason__contains="Brown").exists()
    assert signoff_integrity_problems() == []
    call_command("audit_verify")  # raises SystemExit if the chain is broken
    assert scan_exit_code() == 0
    page = client.get(f"/verify/{document.verification_code}/").content.decode()
    assert "Valid." in page
    event = AuditEvent.objects.filter(verb="privacy.redacted").first()
    assert event.actor == world.administrator and "Brown" not in str(event.data)
    assert set(event.data["fields"]) == {"reason"}


def test_only_person_written_columns_can_be_redacted_and_only_once(small_world):
    world = small_world
    with pytest.raises(RedactionRefused):
        text_redact(
            actor=world.administrator,
            model=Signature,
            object_id=1,
            fields=["signer_name"],
            reason=Redaction.Reason.PATIENT_IDENTIFIER,
        )
    to_phase_two(world)
    with guard_off():
        request = phase_return_request(
            agreement=world.agreement,
            actor=world.employer_clinical_director,
            to_phase=1,
            reason=SLIPPED_IN,
        )
    text_redact(
        actor=world.administrator,
        model=ProgressionRequest,
        object_id=request.pk,
        fields=["reason"],
        reason=Redaction.Reason.PATIENT_IDENTIFIER,
    )
    with pytest.raises(RedactionRefused) as refused:
        text_redact(
            actor=world.administrator,
            model=ProgressionRequest,
            object_id=request.pk,
            fields=["reason"],
            reason=Redaction.Reason.PATIENT_IDENTIFIER,
        )
    assert "already redacted" in refused.value.message
    assert Redaction.objects.count() == 1


def test_the_scan_reads_past_the_apps_own_codes_and_tokens(small_world):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from audit.services import audit_event_record

    # A verification code that reads as a postcode (M2 7AB) inside system-written text, and a
    # session key holding a letters-and-digits shape: neither is text a person wrote.
    audit_event_record(actor=None, verb="document.revoked", summary="Document M27AB-9XY2C revoked")
    Session.objects.create(
        session_key="ab12345678cdefghijklmnopqrstuvwx", session_data="x", expire_date=timezone.now()
    )
    assert scan_exit_code() == 0
    audit_event_record(actor=None, verb="test", summary="Sent to M2 7AB")
    assert scan_exit_code() == 1


def test_the_scan_reads_past_an_agreement_reference_shaped_like_a_postcode(small_world):
    from agreements.models import TrainingAgreement
    from audit.services import audit_event_record

    # References are random hex: about one in a hundred reads as a postcode (E57 5FA), and it is
    # copied into sign-off steps, signatures, document titles and the audit log.
    agreement = TrainingAgreement.objects.order_by("pk").first()
    TrainingAgreement.objects.filter(pk=agreement.pk).update(reference="TA-2026-E575FA")
    audit_event_record(actor=None, verb="test", summary="Agreement TA-2026-E575FA signed")
    assert scan_exit_code() == 0
    audit_event_record(actor=None, verb="test", summary="Agreement TA-2026-E575FA, E57 5FA")
    assert scan_exit_code() == 1
