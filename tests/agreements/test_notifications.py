"""Signers are told by e-mail, see the request in their inbox, and are reminded after 3 and 7
days."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from agreements.services import agreement_version_submit
from signoffs.tasks import signoff_notify_sweep_task, signoff_notify_task, signoff_reminders_task

from ..conftest import sign_in
from .conftest import draft, sign_step

pytestmark = pytest.mark.django_db


def _submit(world, capture):
    version = draft(world).versions.get()
    with capture(execute=True) as callbacks:
        request = agreement_version_submit(actor=world.training_lead, version=version)
    assert callbacks, "the notification task was not queued after commit"
    return request


def test_every_signer_is_emailed_once(world, django_capture_on_commit_callbacks):
    request = _submit(world, django_capture_on_commit_callbacks)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        u.email
        for u in (
            world.trainee,
            world.lead_supervisor,
            world.training_lead,
            world.employer_clinical_director,
            world.centre_clinical_director,
            world.employer_medical_director,
            world.centre_medical_director,
        )
    )
    assert all("/signoffs/steps/" in m.body for m in mail.outbox)
    # Running the task again (a retry) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        signoff_notify_task(request.pk)
    assert len(mail.outbox) == 7


def test_the_author_hears_of_a_decline_and_is_sent_to_its_page(
    world, django_capture_on_commit_callbacks
):
    request = _submit(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign_step(
            world,
            request.steps.get(label="Trainee"),
            decision="decline",
            reason="My start date is wrong.",
        )
    assert [m.to[0] for m in mail.outbox] == [world.training_lead.email]
    body = mail.outbox[0].body
    # What happened and a link to the version's page; the reason the signer wrote stays there.
    assert "declined" in body and request.subject.get_absolute_url() in body
    assert "My start date is wrong." not in body


def test_reminders_after_three_and_seven_days_only_to_those_still_to_sign(
    world, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        request = _submit(world, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            for label in ("Trainee", "Lead supervisor (INR)"):
                sign_step(world, request.steps.get(label=label))
    mail.outbox.clear()

    with (
        time_machine.travel(start + timedelta(days=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert signoff_reminders_task() == 0
    with (
        time_machine.travel(start + timedelta(days=3, hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert signoff_reminders_task() == 5
        assert signoff_reminders_task() == 0  # idempotent
    reminded = {m.to[0] for m in mail.outbox}
    assert world.trainee.email not in reminded and world.lead_supervisor.email not in reminded
    assert all("Reminder (3 days)" in m.subject for m in mail.outbox)
    mail.outbox.clear()
    with (
        time_machine.travel(start + timedelta(days=7, hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert signoff_reminders_task() == 5
    assert all("Reminder (7 days)" in m.subject for m in mail.outbox)


def test_the_inbox_lists_what_waits_for_each_person(
    world, client, django_capture_on_commit_callbacks
):
    request = _submit(world, django_capture_on_commit_callbacks)
    sign_in(client, world.employer_medical_director)
    home = client.get("/").content.decode()
    assert "Waiting for your signature" in home and request.title in home
    client.logout()
    sign_in(client, world.governance_lead)
    assert request.title not in client.get("/").content.decode()
    sign_step(world, request.steps.get(label__startswith="Medical director, Northgate"))
    client.logout()
    sign_in(client, world.employer_medical_director, code_index=5)
    assert request.title not in client.get("/").content.decode()


def test_e_mails_a_broker_outage_kept_from_being_queued_are_sent_by_the_sweep(
    world, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from kombu.exceptions import OperationalError

    from signoffs import services

    def broker_down(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(services.signoff_notify_task, "apply_async", broker_down)
    request = _submit(world, django_capture_on_commit_callbacks)
    assert mail.outbox == [] and "the sweep will send it" in caplog.text
    # The broker is back: the sweep announces every step once; a second sweep sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert signoff_notify_sweep_task() == 7
        assert signoff_notify_sweep_task() == 0
    assert len(mail.outbox) == 7 and all(
        m.subject.startswith("For your signature") for m in mail.outbox
    )
    # Down again while everyone signs: the approval's e-mail to the author is swept up too.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for step in request.steps.all():
            sign_step(world, step)
    request.refresh_from_db()
    assert request.status == "approved" and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert signoff_notify_sweep_task() == 1
        assert signoff_notify_sweep_task() == 0
    assert [(m.to[0], m.subject.split(":")[0]) for m in mail.outbox] == [
        (world.training_lead.email, "Approved")
    ]


def test_the_sweep_leaves_old_outcomes_and_announced_steps_alone(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from signoffs import services

    request = _submit(world, django_capture_on_commit_callbacks)  # announced as usual
    monkeypatch.setattr(
        services.signoff_notify_task,
        "apply_async",
        lambda *a, **k: (_ for _ in ()).throw(OperationalError("down")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        for step in request.steps.all():
            sign_step(world, step)
    mail.outbox.clear()
    # Found more than a week after it closed, an unsent outcome is no longer news.
    with (
        time_machine.travel(timezone.now() + timedelta(days=8), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert signoff_notify_sweep_task() == 0
    assert mail.outbox == []


def test_the_email_keeps_role_and_organisation_names_as_written(
    world, django_capture_on_commit_callbacks
):
    request = _submit(world, django_capture_on_commit_callbacks)
    step = request.steps.get(label__startswith="Training lead")
    body = next(m.body for m in mail.outbox if m.to == [world.training_lead.email])
    assert f"You sign as: {step.label}." in body
    assert world.centre.name in body and world.centre.name.lower() not in body
