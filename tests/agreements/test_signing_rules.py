"""The sign-off engine's rules, on real agreements: eligibility, separation of duties, fresh
second factor, tamper-evidence and concurrency."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from accounts.models import Role
from accounts.services import membership_create
from agreements.services import agreement_version_submit
from signoffs.models import Signature, SignoffRequest, SignoffStep
from signoffs.services import SignoffRefused, signoff_sign

from ..conftest import sign_in
from ..factories import TEST_BACKUP_CODES, make_member
from .conftest import build_world, draft, sign_step, submit_and_sign_all

pytestmark = pytest.mark.django_db


def _open_request(world):
    version = draft(world).versions.get()
    return agreement_version_submit(actor=world.training_lead, version=version)


def test_a_wrong_second_factor_code_is_refused_beside_the_code(world):
    request = _open_request(world)
    step = request.steps.get(label="Trainee")
    with pytest.raises(SignoffRefused) as excinfo:
        signoff_sign(step=step, signer=world.trainee, decision="approve", code="wrong-0000")
    assert excinfo.value.field == "code"
    assert not Signature.objects.exists()


def test_nobody_signs_two_steps_of_one_request(world):
    request = _open_request(world)
    # The employer's medical director also holds the centre's medical director role.
    membership_create(
        actor=None,
        user=world.employer_medical_director,
        role=Role.MEDICAL_DIRECTOR,
        organisation=world.centre,
    )
    sign_step(world, request.steps.get(label__startswith="Medical director, Northgate"))
    centre_step = request.steps.get(label__startswith="Medical director, Southbank")
    with pytest.raises(SignoffRefused, match="already signed another step"):
        sign_step(world, centre_step, signer=world.employer_medical_director)
    assert Signature.objects.count() == 1


def test_a_step_cannot_be_signed_twice(world):
    request = _open_request(world)
    step = request.steps.get(label__startswith="Medical director, Northgate")
    sign_step(world, step)
    other_md = make_member(Role.MEDICAL_DIRECTOR, world.employer)
    with pytest.raises(SignoffRefused, match="already been signed"):
        sign_step(world, step, signer=other_md)


def test_only_eligible_people_sign(world):
    request = _open_request(world)
    step = request.steps.get(label__startswith="Medical director, Northgate")
    for outsider in (world.outsider_director, world.governance_lead, world.centre_medical_director):
        with pytest.raises(SignoffRefused, match="not eligible"):
            sign_step(world, step, signer=outsider)
    lead_step = request.steps.get(label="Lead supervisor (INR)")
    with pytest.raises(SignoffRefused, match="not eligible"):
        sign_step(world, lead_step, signer=world.second_supervisor)


def test_a_clinical_director_of_another_directorate_is_not_eligible(world):
    request = _open_request(world)
    step = request.steps.get(label__startswith="Clinical director, Clinical Radiology")
    with pytest.raises(SignoffRefused, match="not eligible"):
        sign_step(world, step, signer=world.centre_clinical_director)


def test_the_trainee_signs_only_their_own_party_step(world):
    request = _open_request(world)
    # Even holding a clinical director role, the trainee cannot sign about themselves.
    membership_create(
        actor=None,
        user=world.trainee,
        role=Role.CLINICAL_DIRECTOR,
        organisation=world.centre,
        directorate=world.centre_directorate,
    )
    cd_step = request.steps.get(label__startswith="Clinical director, Neuroradiology")
    with pytest.raises(SignoffRefused, match="about yourself"):
        sign_step(world, cd_step, signer=world.trainee)


def test_content_changed_after_submission_voids_the_request(world):
    request = _open_request(world)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agreements_agreementversion SET sessions_per_week = 5 WHERE id = %s",
            [request.subject_id],
        )
    with pytest.raises(SignoffRefused, match="void"):
        sign_step(world, request.steps.get(label="Trainee"))
    request.refresh_from_db()
    assert request.status == SignoffRequest.Status.VOID
    assert not Signature.objects.exists()


def test_changing_a_signed_term_with_raw_sql_is_an_integrity_failure(world, client):
    version, request = submit_and_sign_all(world, draft(world))
    call_command("audit_verify")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agreements_agreementversion SET expected_duration_months = 3 WHERE id = %s",
            [version.pk],
        )
    with pytest.raises(CommandError, match="signed content was changed after signing"):
        call_command("audit_verify")
    sign_in(client, world.governance_lead)
    page = client.get(f"/agreements/{version.agreement_id}/").content.decode()
    assert "Integrity failure" in page


def test_editing_a_signature_row_is_an_integrity_failure(world):
    version, request = submit_and_sign_all(world, draft(world))
    signature = request.signatures.get(sequence=3)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE signoffs_signature SET meaning = %s WHERE id = %s",
            ["I agree to nothing.", signature.pk],
        )
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert f"signature {signature.pk}" in str(excinfo.value)
    assert "changed after it was made" in str(excinfo.value)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="eight concurrent connections need PostgreSQL (DATABASE_URL); CI runs this",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_log_truncatable")
def test_eight_people_signing_one_step_at_once_give_one_signature():
    world = build_world()
    request = _open_request(world)
    step = request.steps.get(label__startswith="Medical director, Northgate")
    directors = [world.employer_medical_director] + [
        make_member(Role.MEDICAL_DIRECTOR, world.employer) for _ in range(7)
    ]
    barrier = threading.Barrier(len(directors))
    outcomes = []

    def attempt(user):
        try:
            barrier.wait(timeout=10)
            signoff_sign(step=step, signer=user, decision="approve", code=TEST_BACKUP_CODES[0])
            outcomes.append("signed")
        except SignoffRefused as refusal:
            outcomes.append(refusal.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in directors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("signed") == 1, outcomes
    assert len(outcomes) == 8
    assert all("already been signed" in o for o in outcomes if o != "signed")
    assert Signature.objects.filter(step=step).count() == 1
    assert SignoffStep.objects.get(pk=step.pk).status == SignoffStep.Status.SIGNED
