"""Who may do what on a trainee's progress: one table, every role, every action.

For each person of the agreement's world (tests/agreements/conftest.py: World.people), plus a
supervisor of the training centre who is not named on the agreement and a trainee of the same
trust who is not this agreement's trainee, the table says what each page answers:

- progress: GET /progress/<pk>/ (200 for those who may see the agreement, 404 for the rest);
- request: POST /progress/<pk>/request/ with every phase 1 criterion met: only the trainee and the
  supervisors named on the agreement create a request; other viewers are sent back with nothing
  created; non-viewers get 404 (checked in the database, not only by status);
- sign (advance): the sign page of the open "phase 1 to 2" step, named for the lead supervisor;
- sign (second INR): the sign page of the open "second INR concurs" step of an independence
  request, a step for any supervisor of the training centre;
  ("form" = 200 with the signature form; "view" = 200 without it; 404 = as if it did not exist)
- certificate: the completion certificate's download once independence is approved;
- return: GET and POST /progress/<pk>/return/ (only the employer's clinical director and medical
  director; other viewers 403; non-viewers 404).

Each person signs in through the real login and second-factor pages (tests.conftest.sign_in).
Actions that write are tried inside a savepoint that is rolled back, so every row of the table
starts from the same state.
"""

from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import Client

from accounts.models import Role
from documents.models import GeneratedDocument
from phases.models import ProgressionRequest
from phases.services import progression_request_make
from signoffs.selectors import signoff_requests_for_subject

from ..agreements.conftest import sign_step
from ..conftest import sign_in
from ..factories import make_member
from .conftest import meet_phase_one, meet_phase_two, phase_of

pytestmark = pytest.mark.django_db

FORM, VIEW = "form", "view"
CREATES = "creates"

# person:                        progress request  sign(advance) sign(2nd INR) certificate return
TABLE = {
    "trainee": (200, CREATES, VIEW, VIEW, 200, 403),
    "lead_supervisor": (200, CREATES, FORM, VIEW, 200, 403),
    "second_supervisor": (200, CREATES, VIEW, FORM, 200, 403),
    "training_lead": (200, 403, VIEW, VIEW, 200, 403),
    "employer_clinical_director": (200, 403, VIEW, VIEW, 200, 200),
    "centre_clinical_director": (200, 403, VIEW, VIEW, 200, 403),
    "employer_medical_director": (200, 403, VIEW, VIEW, 200, 200),
    "centre_medical_director": (200, 403, VIEW, VIEW, 200, 403),
    "governance_lead": (200, 403, VIEW, VIEW, 200, 403),
    "administrator": (200, 403, VIEW, VIEW, 200, 403),
    "outsider_director": (404, 404, 404, 404, 404, 404),
    # A supervisor of the training centre who is not named on this agreement: the "second INR"
    # step is for any supervisor of the centre, so the sign-off engine lets them sign it.
    "unnamed_supervisor": (404, 404, 404, FORM, 404, 404),
    "other_trainee": (404, 404, 404, 404, 404, 404),
}
COLUMNS = ("progress", "request", "sign_advance", "sign_second_inr", "certificate", "return")


def _expected(column):
    index = COLUMNS.index(column)
    return {name: row[index] for name, row in TABLE.items()}


def _everyone(world):
    people = dict(world.people())
    people["unnamed_supervisor"] = make_member(
        Role.SUPERVISOR, world.centre, full_name="Dr Unnamed INR"
    )
    people["other_trainee"] = make_member(
        Role.TRAINEE,
        world.employer,
        directorate=world.employer_directorate,
        full_name="Dr Other Trainee",
    )
    assert set(people) == set(TABLE), "the table must cover every person of the world"
    return people


def _clients(world):
    """One signed-in browser (test client) per person."""
    return {name: sign_in(Client(), user, code_index=9) for name, user in _everyone(world).items()}


class _RollBack(Exception):
    pass


@contextmanager
def _rolled_back():
    """Run a block in a savepoint and undo it, so the next person starts from the same state."""
    try:
        with transaction.atomic():
            yield
            raise _RollBack
    except _RollBack:
        pass


def _steps(request):
    return list(signoff_requests_for_subject(request).get().steps.order_by("position"))


def _to_phase_two(world):
    meet_phase_one(world)
    advance = progression_request_make(agreement=world.agreement, actor=world.trainee)
    sign_step(world, _steps(advance)[0])
    assert phase_of(world).phase == 2


def _independence(world):
    _to_phase_two(world)
    meet_phase_two(world)
    return progression_request_make(agreement=world.agreement, actor=world.lead_supervisor)


def _sign_page_kind(response):
    if response.status_code != 200:
        return response.status_code
    return FORM if 'class="sign-form"' in response.content.decode() else VIEW


def _assert_table(column, got):
    expected = _expected(column)
    wrong = {
        name: f"got {got[name]!r}, expected {expected[name]!r}"
        for name in expected
        if got[name] != expected[name]
    }
    assert not wrong, f"{column}: " + "; ".join(f"{k}: {v}" for k, v in wrong.items())


def test_progress_page(small_world):
    clients = _clients(small_world)
    url = f"/progress/{small_world.agreement.pk}/"
    got = {name: client.get(url).status_code for name, client in clients.items()}
    _assert_table("progress", got)


def test_request_to_move_on(small_world):
    meet_phase_one(small_world)
    clients = _clients(small_world)
    url = f"/progress/{small_world.agreement.pk}/request/"
    got = {}
    for name, client in clients.items():
        with _rolled_back():
            response = client.post(url)
            created = ProgressionRequest.objects.filter(agreement=small_world.agreement).count()
            if response.status_code in (403, 404):
                assert created == 0, name
                got[name] = response.status_code
            else:
                assert response.status_code == 302, (name, response.status_code)
                assert response["Location"] == f"/progress/{small_world.agreement.pk}/", name
                assert created == 1, name
                got[name] = CREATES
                if created:
                    made = ProgressionRequest.objects.get(agreement=small_world.agreement)
                    assert str(made.requested_by_id) == client.session["_auth_user_id"], name
                    assert made.kind == ProgressionRequest.Kind.ADVANCE
    _assert_table("request", got)
    assert not ProgressionRequest.objects.exists()


def test_sign_page_of_the_phase_two_request(small_world):
    meet_phase_one(small_world)
    advance = progression_request_make(agreement=small_world.agreement, actor=small_world.trainee)
    (step,) = _steps(advance)
    clients = _clients(small_world)
    url = f"/signoffs/steps/{step.pk}/sign/"
    got = {name: _sign_page_kind(client.get(url)) for name, client in clients.items()}
    _assert_table("sign_advance", got)


def test_sign_page_of_the_second_inr_step(small_world):
    request = _independence(small_world)
    steps = _steps(request)
    sign_step(small_world, steps[0])  # the lead supervisor recommends
    second = steps[1]
    assert second.label.startswith("Second INR")
    clients = _clients(small_world)
    url = f"/signoffs/steps/{second.pk}/sign/"
    got = {name: _sign_page_kind(client.get(url)) for name, client in clients.items()}
    _assert_table("sign_second_inr", got)


def _approved_independence(world, capture):
    request = _independence(world)
    with capture(execute=True):
        for step in _steps(request):
            signer = world.second_supervisor if step.label.startswith("Second INR") else None
            sign_step(world, step, signer=signer)
    request.refresh_from_db()
    assert request.status == ProgressionRequest.Status.APPROVED and phase_of(world).phase == 3
    return request


def test_certificate_download(small_world, django_capture_on_commit_callbacks):
    request = _approved_independence(small_world, django_capture_on_commit_callbacks)
    certificate = GeneratedDocument.objects.get(
        kind="completion_certificate", subject_id=request.pk
    )
    assert certificate.status == GeneratedDocument.Status.READY
    clients = _clients(small_world)
    url = f"/documents/{certificate.pk}/download/"
    got = {}
    for name, client in clients.items():
        response = client.get(url)
        got[name] = response.status_code
        if response.status_code == 200:
            assert response["Content-Type"] == "application/pdf", name
            assert b"".join(response.streaming_content)[:5] == b"%PDF-", name
    _assert_table("certificate", got)


def test_return_to_an_earlier_phase(small_world, django_capture_on_commit_callbacks):
    _approved_independence(small_world, django_capture_on_commit_callbacks)
    clients = _clients(small_world)
    url = f"/progress/{small_world.agreement.pk}/return/"
    got = {}
    for name, client in clients.items():
        page = client.get(url).status_code
        with _rolled_back():
            response = client.post(url, {"to_phase": 2, "reason": "Two unexplained perforations."})
            returns = ProgressionRequest.objects.filter(kind=ProgressionRequest.Kind.RETURN)
            if response.status_code == 302:
                assert page == 200, name
                assert returns.count() == 1, name
                assert response["Location"] == f"/progress/{small_world.agreement.pk}/", name
                got[name] = 200
            else:
                assert response.status_code == page, (name, page, response.status_code)
                assert not returns.exists(), name
                got[name] = page
    _assert_table("return", got)
    assert not ProgressionRequest.objects.filter(kind=ProgressionRequest.Kind.RETURN).exists()
