"""Issue 8, item 4: a render that always fails stops at its retry limit, is marked failed where an
administrator sees it, and the queue keeps flowing.

A real worker on a private Redis renders a document kind whose print template always raises
(tests.faults.kinds), with the first retry delay shortened to a quarter of a second.
"""

import pytest

from accounts.models import Role
from audit.models import AuditEvent
from documents.models import GeneratedDocument
from documents.tasks import RENDER_MAX_RETRIES
from ops.smoke_support import wait_for
from tests.factories import TEST_PASSWORD, OrganisationFactory, make_member, unused_backup_code

from .conftest import needs_redis_server, needs_shared_postgres
from .kinds import BROKEN, NOTE
from .people import allow_web_sign_in
from .services import Browser, django_script, log_tail

pytestmark = [
    pytest.mark.redis,
    pytest.mark.real_worker,
    pytest.mark.postgres,
    needs_shared_postgres,
    needs_redis_server,
]

Status = GeneratedDocument.Status

REQUEST = (
    "from tests.faults.kinds import register; register()\n"
    "from accounts.models import Organisation\n"
    "from documents.services import document_request\n"
    "o = Organisation.objects.get(pk={organisation})\n"
    "for kind, digest in {documents!r}:\n"
    "    print('document', document_request(kind=kind, subject=o, content_digest=digest).pk)\n"
)


def _request(env, organisation, *documents) -> list[int]:
    """Ask for documents in a process on the private broker, as the app does (queued on commit)."""
    output = django_script(
        env, REQUEST.format(organisation=organisation.pk, documents=list(documents))
    )
    return [int(line.split()[1]) for line in output.splitlines() if line.startswith("document ")]


def _wait_status(document_id, status, processes, timeout):
    def reached():
        return GeneratedDocument.objects.filter(pk=document_id, status=status).exists()

    try:
        wait_for(reached, timeout=timeout, what=f"document {document_id} to be {status}")
    except AssertionError as error:
        document = GeneratedDocument.objects.get(pk=document_id)
        raise AssertionError(
            f"{error}: it is {document.status} after {document.attempts} "
            f"attempt(s)\n{log_tail(processes.log('worker'), 40)}"
        ) from None
    return GeneratedDocument.objects.get(pk=document_id)


def test_a_render_that_always_fails_is_marked_failed_and_the_queue_flows(
    app_env, processes, web_port
):
    env = {**app_env, "FAULTS_FAST": "1", "FAULTS_KINDS": "1"}
    organisation = OrganisationFactory()
    administrator = make_member(Role.ADMINISTRATOR, organisation, full_name="Programme Admin")
    allow_web_sign_in(administrator)
    processes.worker(env, app="tests.faults.celeryapp")
    processes.web(env, web_port)

    broken_id, good_id = _request(env, organisation, (BROKEN, "b" * 64), (NOTE, "g" * 64))

    broken = _wait_status(broken_id, Status.FAILED, processes, timeout=90)
    assert broken.attempts == RENDER_MAX_RETRIES + 1
    assert broken.last_error == "RuntimeError: the print template is broken"
    assert not broken.file and not broken.sha256
    assert AuditEvent.objects.filter(verb="document.failed", object_id=str(broken.pk)).count() == 1
    # Asked for right behind the failing one, it did not wait for the retries to run out.
    good = _wait_status(good_id, Status.READY, processes, timeout=60)
    assert good.sha256

    # The queue still flows after the failure: a document asked for now is produced.
    (later_id,) = _request(env, organisation, (NOTE, "l" * 64))
    assert _wait_status(later_id, Status.READY, processes, timeout=60).sha256
    assert GeneratedDocument.objects.get(pk=broken_id).attempts == RENDER_MAX_RETRIES + 1

    # An administrator sees it among the failed documents, with its error.
    browser = Browser(f"http://127.0.0.1:{web_port}")
    browser.sign_in(administrator.email, TEST_PASSWORD, unused_backup_code(administrator))
    status, page, _ = browser.get("/admin/documents/generateddocument/?status__exact=failed")
    assert status == 200, page[:500]
    assert broken.verification_code in page
    assert good.verification_code not in page
    status, page, _ = browser.get(f"/admin/documents/generateddocument/{broken.pk}/change/")
    assert status == 200
    assert "Failed" in page
    assert "RuntimeError: the print template is broken" in page
