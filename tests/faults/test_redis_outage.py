"""Issue 8, item 2: Redis stops for 60 seconds while people sign.

Three agreements wait for their last two signatures. With the private Redis stopped (killed: with
no persistence, every message queued in it is gone too), two people sign each of them through the
web. Every request succeeds, at once; each completed agreement's PDF waits as a pending document,
since its render could not be queued. Redis comes back on the same port after 60 seconds; the
sweeper (beat every 5 seconds here) queues every PDF again within two sweep intervals, and each is
produced once: one document, one file. The e-mails telling the author each agreement was approved
could not be queued either; the sign-off sweep sends each of them, once."""

import time
from email import message_from_string

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.services import backup_codes_set
from agreements.criteria_defaults import default_template_ensure
from agreements.models import CriteriaTemplate, CriterionTemplate
from agreements.services import SupervisorChoice, agreement_create, agreement_version_submit
from documents.models import GeneratedDocument
from ops.smoke_support import wait_for
from signoffs.models import SignoffRequest
from tests.agreements.conftest import build_world, sign_step, signer_for, terms_for
from tests.factories import TEST_BACKUP_CODES, TEST_PASSWORD, make_member, unused_backup_code

from .celeryapp import FAST_SWEEP_SECONDS
from .conftest import needs_redis_server, needs_shared_postgres
from .people import allow_web_sign_in
from .services import Browser, log_tail, page_summary

pytestmark = [
    pytest.mark.redis,
    pytest.mark.real_worker,
    pytest.mark.postgres,
    needs_shared_postgres,
    needs_redis_server,
]

OUTAGE_SECONDS = 60
AGREEMENTS = 3
Status = GeneratedDocument.Status


def _agreement_waiting_for_two_signatures(world, trainee):
    backup_codes_set(actor=None, user=trainee, codes=TEST_BACKUP_CODES)
    agreement = agreement_create(
        actor=world.training_lead,
        trainee=trainee,
        terms=terms_for(world),
        supervisors=SupervisorChoice(
            supervisors=[world.lead_supervisor, world.second_supervisor], lead=world.lead_supervisor
        ),
        criteria_template=default_template_ensure(CriteriaTemplate, CriterionTemplate),
    )
    version = agreement.versions.get()
    steps = list(agreement_version_submit(actor=world.training_lead, version=version).steps.all())
    for step in steps[:-2]:
        sign_step(world, step)
    return version, steps[-2:]


def _worker_on_broker(processes, name) -> bool:
    return "Connected to redis" in processes.log(name).read_text(errors="replace")


def _approvals_sent(mail_dir) -> list[str]:
    """The subjects of the "Approved" e-mails the app's processes wrote to mail_dir (Django's file
    backend: one file per connection, messages separated by a line of 79 dashes)."""
    subjects = []
    for log in sorted(mail_dir.glob("*.log")):
        for text in log.read_text().split("-" * 79):
            if text.strip():
                subject = " ".join(str(message_from_string(text.strip())["Subject"]).split())
                subjects += [subject] if subject.startswith("Approved") else []
    return subjects


def test_signing_through_a_redis_outage_leaves_pdfs_for_the_sweeper(
    app_env, processes, private_redis, media_root, web_port, tmp_path
):
    world = build_world()
    trainees = [world.trainee] + [
        make_member(
            Role.TRAINEE,
            world.employer,
            directorate=world.employer_directorate,
            full_name=f"Dr Trainee {n}",
        )
        for n in range(AGREEMENTS - 1)
    ]
    waiting = [_agreement_waiting_for_two_signatures(world, trainee) for trainee in trainees]
    signers = {signer_for(world, step) for _, steps in waiting for step in steps}
    allow_web_sign_in(*signers)

    mail_dir = tmp_path / "mail"
    env = {**app_env, "FAULTS_FAST": "1", "EMAIL_URL": f"filemail:///{mail_dir}"}
    processes.worker(env, app="tests.faults.celeryapp")
    processes.beat(env, app="tests.faults.celeryapp")
    processes.web(env, web_port)
    wait_for(lambda: _worker_on_broker(processes, "worker"), timeout=60, what="the worker")

    private_redis.stop()
    outage_started = time.monotonic()
    browsers = {}
    for signer in signers:
        browsers[signer.pk] = Browser(f"http://127.0.0.1:{web_port}").sign_in(
            signer.email, TEST_PASSWORD, unused_backup_code(signer)
        )
    for version, steps in waiting:
        for step in steps:
            signer = signer_for(world, step)
            started = time.monotonic()
            status, body, _ = browsers[signer.pk].post(
                f"/signoffs/steps/{step.pk}/sign/",
                {"decision": "approve", "reason": "", "code": unused_backup_code(signer)},
            )
            assert status == 302, f"{status} {page_summary(body)}"
            assert time.monotonic() - started < 5, "signing waited on the broker"
        version.refresh_from_db()
        assert version.status == "active"
    status, body, _ = browsers[signer.pk].get("/health/")
    assert status == 503 and '"broker": {"status": "error"' in body

    documents = GeneratedDocument.objects.filter(
        kind="agreement", subject_id__in=[version.pk for version, _ in waiting]
    )
    assert documents.count() == AGREEMENTS
    while time.monotonic() - outage_started < OUTAGE_SECONDS:
        assert set(documents.values_list("status", flat=True)) == {Status.PENDING}
        time.sleep(1)

    private_redis.start()
    back = timezone.now()
    try:
        wait_for(
            lambda: set(documents.values_list("status", flat=True)) == {Status.READY},
            timeout=60,
            interval=0.2,
            what="every PDF",
        )
    except AssertionError as error:
        raise AssertionError(
            f"{error}: {list(documents.values_list('pk', 'status', 'attempts'))}\n"
            f"{log_tail(processes.log('beat'), 20)}\n{log_tail(processes.log('worker'), 40)}"
        ) from None
    # The sweep that queued them again stamped queued_at: within two sweep intervals of Redis
    # being back (the worker and beat reconnect within 5 seconds, then the next sweep is due).
    swept_after = [(d.queued_at - back).total_seconds() for d in documents]
    print(
        f"Redis back; swept after {swept_after} s; all ready after "
        f"{(timezone.now() - back).total_seconds():.1f} s"
    )
    assert all(0 < seconds <= 2 * FAST_SWEEP_SECONDS for seconds in swept_after), swept_after
    assert all(d.attempts == 1 for d in documents), "a PDF was rendered more than once"

    assert documents.count() == AGREEMENTS
    # The author hears of each approval exactly once (by the sweep: nothing was queued while
    # Redis was down, and the lost messages are not replayed).
    wait_for(
        lambda: len(_approvals_sent(mail_dir)) >= AGREEMENTS,
        timeout=30,
        interval=0.5,
        what="the approval e-mails",
    )
    time.sleep(2 * FAST_SWEEP_SECONDS)  # another two sweeps: still one e-mail each
    titles = SignoffRequest.objects.filter(
        pk__in=[steps[0].request_id for _, steps in waiting]
    ).values_list("title", flat=True)
    assert sorted(_approvals_sent(mail_dir)) == sorted(f"Approved: {title}" for title in titles)
    files = sorted(p.name for p in (media_root / "documents").iterdir())
    assert files == sorted(f"{d.pk}.pdf" for d in documents)
    assert all(d.sha256 and d.file for d in documents)
