"""Checking an uploaded copy against the issued file when the copy arrives in pieces (issue 19:
``document_check_upload`` joins the upload's chunks, and a separator between them went unseen
because every test upload arrived as one chunk).

An upload larger than ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB by default; a sealed PDF can be)
is written to a temporary file and read back in chunks of ``File.DEFAULT_CHUNK_SIZE`` (64 KB).
Both are lowered here, so that the tests' issued PDF (about 48 KB) arrives that way, in several
chunks."""

import pytest
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Site
from documents.selectors import document_latest_for_subject
from documents.services import document_request
from tests.factories import SiteFactory

from .conftest import FAILING_KIND, KIND

pytestmark = pytest.mark.django_db

MATCHES = "This file matches the issued document."
DOES_NOT_MATCH = "This file does NOT match the issued document"
CHUNK = 8 * 1024


def test_a_copy_read_in_several_chunks_still_matches(client, issued, settings, monkeypatch):
    with issued.file.open("rb") as handle:
        content = handle.read()
    # Several chunks, or the test shows nothing.
    assert len(content) > 2 * CHUNK
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    monkeypatch.setattr(File, "DEFAULT_CHUNK_SIZE", CHUNK)
    response = client.post(
        reverse("documents:verify", args=[issued.verification_code]),
        {"file": SimpleUploadedFile("copy.pdf", content, content_type="application/pdf")},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert MATCHES in html and DOES_NOT_MATCH not in html


def test_the_latest_document_is_of_the_kind_and_the_subject_asked_for(organisation, queued):
    """Issue 19: ``document_latest_for_subject``'s kind and subject-type filters went unguarded,
    since every subject in the product has documents of one kind. Here an organisation has a
    document of another kind, and a site with the same id a document of the same kind, both
    newer than the one asked for."""
    asked_for = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    document_request(kind=FAILING_KIND, subject=organisation, content_digest="b" * 64)
    assert not Site.objects.filter(pk=organisation.pk).exists()
    Site.objects.filter(pk=SiteFactory(organisation=organisation).pk).update(id=organisation.pk)
    namesake = Site.objects.get(pk=organisation.pk)
    document_request(kind=KIND, subject=namesake, content_digest="c" * 64)

    assert document_latest_for_subject(KIND, organisation) == asked_for
