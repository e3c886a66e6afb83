"""Progression requests: refused with what is missing, frozen evidence, the sign-off chains with
separation of duties, the certificate, and a return to an earlier phase that revokes it."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from accounts.services import membership_create
from caselogs.services import case_correct
from documents.models import GeneratedDocument
from phases.models import ProgressionRequest
from phases.services import phase_return_request, progression_request_make
from signoffs.selectors import signoff_requests_for_subject
from signoffs.services import SignoffRefused

from ..agreements.conftest import sign_step
from ..caselogs.conftest import mt_case_data
from .conftest import add_case, meet_phase_one, meet_phase_two, phase_of

pytestmark = pytest.mark.django_db


def _signoff(request):
    return signoff_requests_for_subject(request).get()


def test_a_request_with_one_criterion_unmet_names_it(small_world):
    add_case(small_world)
    add_case(small_world)
    with pytest.raises(ValidationError) as excinfo:
        progression_request_make(agreement=small_world.agreement, actor=small_world.trainee)
    message = " ".join(excinfo.value.messages)
    assert "MDT meetings" in message and "1 more confirmed activities needed" in message
    assert "MTs as primary operator under direct supervision" not in message
    assert not ProgressionRequest.objects.exists()


def test_phase_one_to_two_is_approved_by_the_lead_supervisor(small_world):
    meet_phase_one(small_world)
    request = progression_request_make(agreement=small_world.agreement, actor=small_world.trainee)
    signoff = _signoff(request)
    assert [s.label for s in signoff.steps.all()] == ["Lead supervisor (INR)"]
    with pytest.raises(SignoffRefused):
        sign_step(small_world, signoff.steps.get(), signer=small_world.trainee)
    sign_step(small_world, signoff.steps.get())
    assert phase_of(small_world).phase == 2
    assert small_world.agreement.phase_records.get(phase=1).ended_on is not None


def test_editing_a_case_after_the_request_does_not_change_the_snapshot(small_world):
    meet_phase_one(small_world)
    request = progression_request_make(agreement=small_world.agreement, actor=small_world.trainee)
    frozen = request.snapshot
    case = small_world.trainee.cases.first()
    case_correct(
        case=case,
        trainee=small_world.trainee,
        data=mt_case_data(small_world, reference=case.reference, trainee_role="assistant"),
    )
    request.refresh_from_db()
    assert request.snapshot == frozen
    ids = next(c for c in frozen["criteria"] if "direct supervision" in c["description"])[
        "evidence"
    ]["ids"]
    assert case.pk in ids
    # The signature is still bound to what was judged, not to the corrected case.
    sign_step(small_world, _signoff(request).steps.get())
    assert phase_of(small_world).phase == 2


def _to_phase_two(world):
    meet_phase_one(world)
    request = progression_request_make(agreement=world.agreement, actor=world.trainee)
    sign_step(world, _signoff(request).steps.get())


def _independence(world):
    _to_phase_two(world)
    meet_phase_two(world)
    return progression_request_make(agreement=world.agreement, actor=world.lead_supervisor)


def test_independence_chain_order_and_separation_of_duties(
    small_world, django_capture_on_commit_callbacks
):
    request = _independence(small_world)
    signoff = _signoff(request)
    steps = list(signoff.steps.all())
    assert [s.label for s in steps] == [
        "Lead supervisor (INR): recommends",
        "Second INR, Southbank Neuroscience Centre: concurs",
        "Training lead, Southbank Neuroscience Centre",
        "Clinical director, Clinical Radiology, Northgate Hospitals NHS Trust",
        "Medical director, Southbank Neuroscience Centre (principal training hospital)",
        "Governance lead: acknowledges",
    ]
    # Ordered: the medical director cannot sign before the others.
    with pytest.raises(SignoffRefused, match="Earlier steps"):
        sign_step(small_world, steps[4])
    sign_step(small_world, steps[0])
    # The same INR cannot both recommend and concur.
    with pytest.raises(SignoffRefused, match="already signed another step"):
        sign_step(small_world, steps[1], signer=small_world.lead_supervisor)
    # The trainee cannot sign any step.
    for step in steps[1:]:
        with pytest.raises(SignoffRefused):
            sign_step(small_world, step, signer=small_world.trainee)
    sign_step(small_world, steps[1], signer=small_world.second_supervisor)
    sign_step(small_world, steps[2])
    # A director cannot sign twice in two roles.
    membership_create(
        actor=None,
        user=small_world.employer_clinical_director,
        role=Role.MEDICAL_DIRECTOR,
        organisation=small_world.centre,
    )
    # A fresh object: roles are cached on the user for the length of a request.
    membership_md = User.objects.get(pk=small_world.employer_clinical_director.pk)
    sign_step(small_world, steps[3], signer=membership_md)
    with pytest.raises(SignoffRefused, match="already signed another step"):
        sign_step(small_world, steps[4], signer=membership_md)
    sign_step(small_world, steps[4], signer=small_world.centre_medical_director)
    with django_capture_on_commit_callbacks(execute=True):
        sign_step(small_world, steps[5], signer=small_world.governance_lead)
    request.refresh_from_db()
    assert request.status == "approved" and phase_of(small_world).phase == 3
    certificate = GeneratedDocument.objects.get(
        kind="completion_certificate", subject_id=request.pk
    )
    assert certificate.status == "ready"


def test_a_return_revokes_the_certificate_and_verify_says_so(
    small_world, client, django_capture_on_commit_callbacks
):
    request = _independence(small_world)
    signoff = _signoff(request)
    with django_capture_on_commit_callbacks(execute=True):
        for step in signoff.steps.all():
            signer = {
                "Second INR": small_world.second_supervisor,
                "Governance lead": small_world.governance_lead,
                "Medical director, Southbank": small_world.centre_medical_director,
            }
            chosen = next((u for k, u in signer.items() if step.label.startswith(k)), None)
            sign_step(small_world, step, signer=chosen)
    certificate = GeneratedDocument.objects.get(kind="completion_certificate")
    assert "Valid." in client.get(f"/verify/{certificate.verification_code}/").content.decode()
    with pytest.raises(ValidationError):
        phase_return_request(
            agreement=small_world.agreement,
            actor=small_world.employer_clinical_director,
            to_phase=2,
            reason="  ",
        )
    back = phase_return_request(
        agreement=small_world.agreement,
        actor=small_world.employer_clinical_director,
        to_phase=2,
        reason="Two unexplained perforations in a month.",
    )
    for step in _signoff(back).steps.all():
        sign_step(small_world, step)
    phase = phase_of(small_world)
    assert (
        phase.phase == 2
        and phase.reason == f"Return to an earlier phase approved (request {back.pk})"
    )
    # The reason stays on the request it was written in; the phase history refers to it.
    back.refresh_from_db()
    assert back.reason == "Two unexplained perforations in a month."
    page = client.get(f"/verify/{certificate.verification_code}/").content.decode()
    assert "Revoked on" in page
    assert "perforations" not in page  # the reason is never shown publicly
