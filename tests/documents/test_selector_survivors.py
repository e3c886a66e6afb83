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
