"""The admin lists documents read-only and queues failed ones again through the service."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accounts.models import Role
from documents.models import GeneratedDocument
from documents.services import document_request
from documents.tasks import RENDER_MAX_RETRIES, document_render_task
from tests.conftest import sign_in

from .conftest import FAILING_KIND, KIND

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:documents_generateddocument_changelist"


@pytest.fixture
def administrator(client, member, organisation):
    sign_in(client, member(Role.ADMINISTRATOR, organisation))
    return client


def _failed(organisation):
    document = document_request(kind=FAILING_KIND, subject=organisation, content_digest="f" * 64)
    document_render_task.apply(args=[document.pk], retries=RENDER_MAX_RETRIES)
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.FAILED
    return document


def test_the_list_shows_status_and_attempts_and_nothing_can_be_edited(
    administrator, issued, organisation, queued
):
    failed = _failed(organisation)
    response = administrator.get(reverse(CHANGELIST))
    assert response.status_code == 200
    html = response.content.decode()
    assert issued.verification_code in html and failed.verification_code in html
    assert "Failed" in html and "Ready" in html
    detail = administrator.get(
        reverse("admin:documents_generateddocument_change", args=[issued.pk])
    )
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert administrator.get(reverse("admin:documents_generateddocument_add")).status_code == 403


def test_the_requeue_action_queues_failed_documents_again(
    administrator, organisation, queued, django_capture_on_commit_callbacks
):
    failed = _failed(organisation)
    pending = document_request(kind=KIND, subject=organisation, content_digest="p" * 64)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = administrator.post(
            reverse(CHANGELIST),
            {"action": "requeue_failed", ACTION_CHECKBOX_NAME: [failed.pk, pending.pk]},
            follow=True,
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 document(s) queued again." in html
    assert "had not failed" in html
    failed.refresh_from_db()
    assert failed.status == GeneratedDocument.Status.PENDING and failed.attempts == 0
    assert queued == [failed.pk]
