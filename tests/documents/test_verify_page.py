"""The public page: what the document is, for whom, when, whether it stands; and checking a copy."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from documents.services import document_request, document_revoke, document_supersede
from documents.tasks import document_render_task

from .conftest import KIND

pytestmark = pytest.mark.django_db

MATCHES = "This file matches the issued document."
DOES_NOT_MATCH = "This file does NOT match the issued document"


def _verify_url(document):
    return reverse("documents:verify", args=[document.verification_code])


def _pdf_bytes(document):
    with document.file.open("rb") as handle:
        return handle.read()


def _upload(client, document, content, name="copy.pdf"):
    return client.post(
        _verify_url(document),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_anyone_sees_what_the_document_is_and_that_it_is_valid(client, issued):
    response = client.get(_verify_url(issued))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Organisation record" in html
    assert issued.subject.name in html
    assert f"{issued.issued_at:%Y}" in html
    assert issued.sha256 in html
    assert "Valid" in html
    assert "Superseded" not in html and "Revoked" not in html


def test_after_supersede_the_page_says_superseded(client, issued, member, organisation, queued):
    actor = member(Role.GOVERNANCE_LEAD, organisation)
    newer = document_request(kind=KIND, subject=organisation, content_digest="b" * 64)
    document_render_task(newer.pk)
    document_supersede(document=issued, superseded_by=newer, actor=actor)
    html = client.get(_verify_url(issued)).content.decode()
    assert "Superseded on" in html
    assert "Valid." not in html


def test_after_revoke_the_page_says_revoked_and_not_why(client, issued, member, organisation):
    actor = member(Role.GOVERNANCE_LEAD, organisation)
    document_revoke(document=issued, reason="Issued to the wrong trust in error", actor=actor)
    html = client.get(_verify_url(issued)).content.decode()
    assert "Revoked on" in html
    assert "wrong trust" not in html
    assert "Valid." not in html


def test_the_page_shows_nothing_else_about_the_subject(client, issued, organisation):
    html = client.get(_verify_url(issued)).content.decode()
    assert organisation.get_kind_display() not in html
    assert issued.content_digest not in html
    assert reverse("documents:download", args=[issued.pk]) not in html


def test_uploading_the_issued_pdf_says_it_matches(client, issued):
    response = _upload(client, issued, _pdf_bytes(issued))
    assert response.status_code == 200
    html = response.content.decode()
    assert MATCHES in html
    assert DOES_NOT_MATCH not in html


def test_uploading_the_pdf_with_one_byte_changed_says_it_does_not_match(client, issued):
    content = bytearray(_pdf_bytes(issued))
    middle = len(content) // 2
    content[middle] = (content[middle] + 1) % 256
    html = _upload(client, issued, bytes(content)).content.decode()
    assert DOES_NOT_MATCH in html
    assert MATCHES not in html


def test_an_upload_over_the_limit_is_refused_with_a_clear_message(client, issued, settings):
    settings.DOCUMENTS_VERIFY_MAX_UPLOAD_BYTES = 1024
    html = _upload(client, issued, _pdf_bytes(issued)).content.decode()
    assert "larger than" in html
    assert MATCHES not in html and DOES_NOT_MATCH not in html


def test_an_upload_just_over_the_limit_is_refused_by_the_form(client, issued, settings):
    content = _pdf_bytes(issued)
    # Within the envelope allowance, so the request is read and the form itself refuses it.
    settings.DOCUMENTS_VERIFY_MAX_UPLOAD_BYTES = len(content) - 1
    html = _upload(client, issued, content).content.decode()
    assert "larger than" in html
    assert MATCHES not in html


def test_an_unknown_code_is_a_404_saying_there_is_no_such_document(client):
    response = client.get(reverse("documents:verify", args=["ZZZZZ-ZZZZZ"]))
    assert response.status_code == 404
    assert "No such document" in response.content.decode()


def test_a_document_not_yet_issued_is_not_shown(client, requested):
    response = client.get(_verify_url(requested))
    assert response.status_code == 404


def test_a_code_typed_loosely_is_sent_to_its_canonical_address(client, issued):
    loose = issued.verification_code.replace("-", "").lower()
    response = client.get(reverse("documents:verify", args=[loose]))
    assert response.status_code == 302
    assert response["Location"] == _verify_url(issued)


def test_the_page_keeps_to_the_strict_content_security_policy(client, issued):
    response = client.get(_verify_url(issued))
    html = response.content.decode()
    assert "style=" not in html
    assert "<script>" not in html
    assert "Content-Security-Policy" in response.headers
