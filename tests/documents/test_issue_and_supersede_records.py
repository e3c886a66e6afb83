"""What issuing a document and replacing it with a newer one leave behind: the row, the audit event
and the words of each refusal (issue 19: mutation testing found the issue event's data, the
stored title's limits and the whole of `document_supersede`'s record unguarded; each is a fact a
governance lead may have to account for later)."""

import dataclasses
import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from documents.models import GeneratedDocument
from documents.registry import document_kind, register_document_kind, unregister_document_kind
from documents.services import (
    DocumentStateError,
    document_render,
    document_request,
    document_revoke,
    document_supersede,
)
from documents.tasks import document_render_task
from tests.factories import OrganisationFactory, make_user

from .conftest import KIND, document_event

pytestmark = pytest.mark.django_db
LONG_NAMES = "tests.long-names"


def test_an_issued_document_records_its_file_its_seal_and_its_attempts(issued, private_media):
    content = (private_media / issued.file.name).read_bytes()
    event = document_event("document.issued", issued)
    assert event.actor is None
    assert event.summary == (
        f"Organisation record issued for {issued.subject.name} ({issued.verification_code})"
    )
    seal = event.data.pop("seal")
    assert event.data == {
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
        "attempts": 1,
        "template_version": "tests-1",
    }
    assert sorted(seal) == ["certificate", "timestamp"] and seal["certificate"]
    assert (issued.sha256, issued.size) == (event.data["sha256"], event.data["size"])


@pytest.fixture
def long_names_kind():
    """The test kind, with a title and a person's name longer than the 200 characters kept."""
    register_document_kind(
        dataclasses.replace(
            document_kind(KIND),
            key=LONG_NAMES,
            title=lambda organisation: "T" * 150 + "U" * 100,
            person_name=lambda organisation: "N" * 199 + "OP",
        )
    )
    yield LONG_NAMES
    unregister_document_kind(LONG_NAMES)


def test_the_title_and_name_are_the_kinds_own_cut_at_200_characters(
    organisation, queued, long_names_kind
):
    document = document_request(kind=long_names_kind, subject=organisation, content_digest="d" * 64)
    rendered = document_render(document_id=document.pk)
    rendered.refresh_from_db()
    assert rendered.title == "T" * 150 + "U" * 50
    assert rendered.person_name == "N" * 199 + "O"


def test_a_document_whose_subject_is_gone_fails_saying_so(queued):
    subject = OrganisationFactory(name="Closed Hospital NHS Trust")
    document = document_request(kind=KIND, subject=subject, content_digest="e" * 64)
    subject.delete()

    with pytest.raises(DocumentStateError) as refused:
        document_render(document_id=document.pk)
    assert str(refused.value) == f"The subject of document {document.pk} no longer exists."
    document_render_task.apply(args=[document.pk])
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.FAILED
    assert document.last_error == (
        f"DocumentStateError: The subject of document {document.pk} no longer exists."
    )


def _two_documents(organisation):
    older = document_request(kind=KIND, subject=organisation, content_digest="1" * 64)
    newer = document_request(kind=KIND, subject=organisation, content_digest="2" * 64)
    return older, newer


def test_a_superseded_document_names_its_successor_and_who_replaced_it(organisation, queued):
    older, newer = _two_documents(organisation)
    governance_lead = make_user()

    replaced = document_supersede(document=older, superseded_by=newer, actor=governance_lead)

    replaced.refresh_from_db()
    assert replaced.superseded_by == newer
    assert timezone.now() - replaced.superseded_at < timedelta(minutes=1)
    event = document_event("document.superseded", older)
    assert event.actor == governance_lead
    assert event.summary == (
        f"Document {older.verification_code} superseded by {newer.verification_code}"
    )
    assert event.data == {"superseded_by": newer.pk}


def test_superseding_again_by_the_same_document_changes_nothing(organisation, queued):
    older, newer = _two_documents(organisation)
    document_supersede(document=older, superseded_by=newer, actor=None)
    first = GeneratedDocument.objects.get(pk=older.pk).superseded_at

    again = document_supersede(document=older, superseded_by=newer, actor=None)

    assert (again.superseded_by_id, again.superseded_at) == (newer.pk, first)
    assert AuditEvent.objects.filter(verb="document.superseded").count() == 1


def _refusal(**arguments) -> str:
    with pytest.raises(DocumentStateError) as refused:
        document_supersede(actor=None, **arguments)
    return str(refused.value)


def test_each_refusal_to_supersede_says_why_and_changes_nothing(organisation, queued):
    older, newer = _two_documents(organisation)
    third = document_request(kind=KIND, subject=organisation, content_digest="3" * 64)

    assert _refusal(document=older, superseded_by=older) == "A document cannot supersede itself."
    document_supersede(document=older, superseded_by=newer, actor=None)
    assert _refusal(document=older, superseded_by=third) == (
        "This document has already been superseded by another one."
    )
    document_revoke(document=third, reason="Issued to the wrong trainee", actor=None)
    assert _refusal(document=third, superseded_by=newer) == (
        "A revoked document cannot be superseded."
    )
    assert GeneratedDocument.objects.get(pk=older.pk).superseded_by_id == newer.pk
    assert GeneratedDocument.objects.get(pk=third.pk).superseded_by_id is None
    assert AuditEvent.objects.filter(verb="document.superseded").count() == 1
