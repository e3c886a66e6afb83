"""Free text a person writes stays in its own row (ARCHITECTURE.md, "Privacy by construction").

Through the real services (and the admin), a canary is written into every user-written field a
service accepts; every on-commit callback and task runs, so every e-mail is sent. Then no e-mail
(subject or body) and no audit event (summary, object name, data) may hold the canary: e-mails
say what happened and link to the page, and the audit log holds references and commitments.
"""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agreements.criteria_defaults import default_template_ensure
from agreements.models import CriteriaTemplate, CriterionTemplate, VersionStatus
from agreements.services import (
    SupervisorChoice,
    agreement_end_early,
    agreement_version_submit,
    agreement_version_update,
)
from audit.models import AuditEvent
from caselogs.activity_services import activity_decide, activity_log, assessment_record
from caselogs.services import case_build, case_correct, case_save_many, case_verify
from caselogs.tasks import case_verification_reminders_task
from governance.models import QualityStandard, QualityStandardSet
from governance.standards import default_standards_ensure, standard_set_in_force
from phases.models import Competency, ProgressionRequest
from phases.services import competency_sign, phase_return_request, progression_request_make
from privacy.commitments import is_commitment, text_commitment
from signoffs.selectors import signoff_requests_for_subject
from signoffs.tasks import signoff_reminders_task

from ..admin_forms import admin_change_form_data
from ..agreements.conftest import draft, sign_step, terms_for, world  # noqa: F401  (fixture)
from ..caselogs.conftest import log_case, logbook, mt_case_data  # noqa: F401  (fixture)
from ..conftest import sign_in
from ..phases.conftest import meet_phase_one, phase_of, small_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

# Hex commitments and the app's own words never hold these letters together.
TOKEN = "qzx"


def canary(where: str) -> str:
    return f"Canary words {TOKEN} ({where})"


def _mail_text(message) -> str:
    parts = [message.subject, message.body]
    parts += [content for content, _ in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def assert_no_user_text_travelled(*, at_least_mails: int = 1):
    """No e-mail and no audit event holds the canary; and the test did send e-mail."""
    assert len(mail.outbox) >= at_least_mails, [m.subject for m in mail.outbox]
    for message in mail.outbox:
        text = _mail_text(message)
        assert TOKEN not in text.lower(), f"an e-mail quotes user text:\n{text}"
    events = list(AuditEvent.objects.order_by("sequence"))
    assert events
    for event in events:
        for name, value in (
            ("summary", event.summary),
            ("object_repr", event.object_repr),
            ("data", json.dumps(event.data, default=str)),
            ("actor_label", event.actor_label),
        ):
            assert TOKEN not in value.lower(), (
                f"audit event #{event.sequence} {event.verb} holds user text in its {name}: {value}"
            )


def _events(verb):
    return AuditEvent.objects.filter(verb=verb).order_by("sequence")


# Agreements: drafting, editing, a decline with a reason, signing, ending early ------------------


def test_agreement_text_stays_in_its_rows(world, django_capture_on_commit_callbacks):
    texts = {
        "backfill_trainee_service": canary("trainee backfill"),
        "backfill_centre": canary("centre backfill"),
        "independence_local_terms": canary("local terms"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        agreement = draft(world, **texts)
    version = agreement.versions.get()
    assert version.independence_local_terms == texts["independence_local_terms"]

    criterion = version.criteria.order_by("phase", "position").first()
    edited = {name: canary(f"edited {name}") for name in texts}
    with django_capture_on_commit_callbacks(execute=True):
        agreement_version_update(
            actor=world.training_lead,
            version=version,
            terms=terms_for(world, **edited),
            supervisors=SupervisorChoice(
                supervisors=[world.lead_supervisor, world.second_supervisor],
                lead=world.lead_supervisor,
            ),
            criteria_targets={
                criterion.pk: {"target": criterion.target + 1, "description": canary("criterion")}
            },
        )
    criterion.refresh_from_db()
    assert criterion.description == canary("criterion")
    # The edit names what changed, with a commitment to each value: never the value.
    event = _events("agreement.edited").get()
    assert set(event.data["changed"]) == set(edited)
    assert event.data["changed"]["backfill_centre"] == text_commitment(edited["backfill_centre"])
    assert set(event.data["criteria_changed"][str(criterion.pk)]) == {"target", "description"}

    # Submitted: every signer is e-mailed; the trainee declines with a reason.
    with django_capture_on_commit_callbacks(execute=True):
        request = agreement_version_submit(actor=world.training_lead, version=version)
    with django_capture_on_commit_callbacks(execute=True):
        sign_step(
            world, request.steps.get(label="Trainee"), decision="decline", reason=canary("decline")
        )
    outcome = mail.outbox[-1]
    assert outcome.to == [world.training_lead.email] and "declined" in outcome.body
    assert version.get_absolute_url() in outcome.body

    # Submitted again, reminded, signed by all, then ended early with a reason.
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        request = agreement_version_submit(actor=world.training_lead, version=version)
    with time_machine.travel(start + timedelta(days=4), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert signoff_reminders_task() > 0
        with django_capture_on_commit_callbacks(execute=True):
            for step in request.steps.all():
                sign_step(world, step)
        version.refresh_from_db()
        assert version.status == VersionStatus.ACTIVE
        with django_capture_on_commit_callbacks(execute=True):
            agreement_end_early(
                actor=world.training_lead, agreement=agreement, reason=canary("end early")
            )
    version.refresh_from_db()
    assert version.end_reason == canary("end early")
    ended = _events("agreement.ended_early").get()
    assert ended.data == {"changed": {"end_reason": text_commitment(canary("end early"))}}
    assert ended.object_repr == agreement.reference

    assert_no_user_text_travelled(at_least_mails=10)


# The logbook: cases, corrections, verification, reminders, import, activities, assessments -----


def test_logbook_text_stays_in_its_rows(logbook, django_capture_on_commit_callbacks):
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        case = log_case(
            logbook,
            reference=f"{TOKEN} own ref",
            aborted_reason=canary("aborted"),
            reflection=canary("reflection"),
        )
        case_verify(
            case=case,
            supervisor=logbook.lead_supervisor,
            role_view=case.trainee_role,
            mode_view=case.supervision_mode,
            decision="queried",
            comment=canary("query"),
        )
        case = case_correct(
            case=case,
            trainee=logbook.trainee,
            data=mt_case_data(
                logbook, reference=f"{TOKEN} own ref 2", reflection=canary("corrected reflection")
            ),
        )
        waiting = log_case(logbook, reference=f"{TOKEN} waiting", reflection=canary("waiting"))
        imported = [
            case_build(
                trainee=logbook.trainee,
                data=mt_case_data(
                    logbook, reference=f"{TOKEN} import {n}", reflection=canary(f"import {n}")
                ),
            )
            for n in (1, 2)
        ]
        imported = case_save_many(trainee=logbook.trainee, cases=imported)
    assert case.reflection == canary("corrected reflection") and case.revision == 2
    corrected = _events("case.corrected").get()
    assert {"reference", "reflection"} <= set(corrected.data["changed"])
    assert all(is_commitment(value) for value in corrected.data["changed"].values())
    assert _events("case.imported").get().data["cases"] == [c.pk for c in imported]

    with time_machine.travel(start + timedelta(days=8), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert case_verification_reminders_task() >= 1
        reminder = mail.outbox[-1]
        assert reminder.to == [logbook.lead_supervisor.email]
        assert f"{waiting.performed_on:%d %b %Y}" in reminder.body
        assert reverse("caselogs:queue") in reminder.body
        with django_capture_on_commit_callbacks(execute=True):
            case_verify(
                case=case,
                supervisor=logbook.lead_supervisor,
                role_view=case.trainee_role,
                mode_view=case.supervision_mode,
                decision="verified",
                comment=canary("verified"),
            )

            for confirm in (False, True):
                activity = activity_log(
                    trainee=logbook.trainee,
                    data={
                        "kind": "mdt",
                        "happened_on": date.today() - timedelta(days=1),
                        "hours": Decimal("1"),
                        "notes": canary("activity notes"),
                        "supervisor": logbook.lead_supervisor,
                    },
                )
                activity_decide(
                    activity=activity,
                    supervisor=logbook.lead_supervisor,
                    confirm=confirm,
                    comment=canary("supervisor comment"),
                )
            assessment_record(
                assessor=logbook.lead_supervisor,
                trainee=logbook.trainee,
                data={
                    "kind": "procedural",
                    "case": case,
                    "assessed_on": date.today(),
                    "entrustment": 2,
                    "strengths": canary("strengths"),
                    "development_points": canary("development points"),
                },
            )

    assert_no_user_text_travelled()


# Phases: a competency statement, and a return with a reason, declined then approved -------------


def test_phase_text_stays_in_its_rows(  # noqa: F811  (the fixture imported above)
    small_world, django_capture_on_commit_callbacks
):
    world = small_world
    with django_capture_on_commit_callbacks(execute=True):
        meet_phase_one(world)
        request = progression_request_make(agreement=world.agreement, actor=world.trainee)
        sign_step(world, signoff_requests_for_subject(request).get().steps.get())
    assert phase_of(world).phase == 2

    with django_capture_on_commit_callbacks(execute=True):
        signoff = competency_sign(
            agreement=world.agreement,
            supervisor=world.lead_supervisor,
            competency=Competency.MT_TECHNIQUE,
            statement=canary("competency statement"),
        )
    assert signoff.statement == canary("competency statement")

    with django_capture_on_commit_callbacks(execute=True):
        back = phase_return_request(
            agreement=world.agreement,
            actor=world.employer_clinical_director,
            to_phase=1,
            reason=canary("return reason"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        step = signoff_requests_for_subject(back).get().steps.order_by("position").first()
        sign_step(world, step, decision="decline", reason=canary("declined return"))
    back.refresh_from_db()
    assert back.status == ProgressionRequest.Status.DECLINED
    outcome = mail.outbox[-1]
    assert outcome.to == [world.employer_clinical_director.email]
    assert back.get_absolute_url() in outcome.body

    with django_capture_on_commit_callbacks(execute=True):
        back = phase_return_request(
            agreement=world.agreement,
            actor=world.employer_clinical_director,
            to_phase=1,
            reason=canary("second return reason"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        for step in signoff_requests_for_subject(back).get().steps.all():
            sign_step(world, step)
    assert phase_of(world).phase == 1
    assert mail.outbox[-1].subject.startswith("Approved")

    assert_no_user_text_travelled(at_least_mails=4)


# The admin: quality standards and criteria templates ---------------------------------------


def test_admin_text_stays_in_its_rows(world, client):
    standards = default_standards_ensure(QualityStandardSet, QualityStandard)
    template = default_template_ensure(CriteriaTemplate, CriterionTemplate)
    sign_in(client, world.administrator)

    url = reverse("admin:governance_qualitystandardset_change", args=[standards.pk])
    page = client.get(url)
    data = admin_change_form_data(page)
    row = page.context["inline_admin_formsets"][0].formset.forms[0].prefix
    data.update(
        {
            "name": canary("set name"),
            "description": canary("set description"),
            f"{row}-label": canary("label"),
            f"{row}-source": canary("source"),
            f"{row}-notes": canary("notes"),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    standards.refresh_from_db()
    assert standards.name == canary("set name")
    event = _events("quality_standards.changed").get()
    assert set(event.data["changed"]) == {"name", "description"}
    (changed_fields,) = event.data["standards_changed"].values()
    assert set(changed_fields) == {"label", "source", "notes"}
    response = client.post(
        reverse("admin:governance_qualitystandardset_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [standards.pk]},
    )
    assert response.status_code == 302
    assert standard_set_in_force().version == standards.version + 1

    url = reverse("admin:agreements_criteriatemplate_change", args=[template.pk])
    page = client.get(url)
    data = admin_change_form_data(page)
    row = page.context["inline_admin_formsets"][0].formset.forms[0].prefix
    data.update(
        {
            "name": canary("template name"),
            "description": canary("template description"),
            f"{row}-description": canary("template criterion"),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    template.refresh_from_db()
    assert template.name == canary("template name")
    assert set(_events("criteria_template.changed").get().data["changed"]) == {
        "name",
        "description",
    }
    response = client.post(
        reverse("admin:agreements_criteriatemplate_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [template.pk]},
    )
    assert response.status_code == 302
    assert _events("criteria_template.versioned").exists()

    assert_no_user_text_travelled(at_least_mails=0)
