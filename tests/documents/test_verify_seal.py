"""/verify and `manage.py verify_pdf` check the seal itself and say so in plain words (issue 15,
part 3)."""

import io
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from accounts.models import Role
from documents.demo_pki import DEMO_LABEL, demo_pki_ensure
from documents.services import document_revoke

pytestmark = pytest.mark.django_db

INTACT = "The seal is intact: the sealed content has not been altered."
BROKEN = "The seal is broken: the content no longer matches what was sealed."
SEALED_BY = f"Sealed by Mechanical thrombectomy training programme ({DEMO_LABEL})."
TRUSTED = "The seal&#x27;s certificate chains to a trusted root."
UNCHANGED = "Nothing was changed after sealing."
ADDED = "Something was added to the file after it was sealed."
MATCHES = "This file matches the issued document."
DOES_NOT_MATCH = "This file does NOT match the issued document"


def _content(document) -> bytes:
    return Path(document.file.path).read_bytes()


def _changed_byte(content: bytes) -> bytes:
    changed = bytearray(content)
    changed[changed.index(b"stream\n") + 40] ^= 0x01
    return bytes(changed)


def _updated_after_sealing(content: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(content))
    writer.root["/Lang"] = generic.TextStringObject("fr")
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _upload(client, document, content):
    response = client.post(
        reverse("documents:verify", args=[document.verification_code]),
        {"file": SimpleUploadedFile("copy.pdf", content, content_type="application/pdf")},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_says_the_seal_of_the_issued_copy_is_valid_and_by_whom(client, issued):
    html = _upload(client, issued, _content(issued))
    assert MATCHES in html
    assert "The seal on this file is valid." in html
    for sentence in (INTACT, SEALED_BY, TRUSTED, UNCHANGED):
        assert sentence in html
    assert "by a trusted timestamp authority." in html
    assert f"Timestamped {issued.issued_at:%-d %B %Y}" in html


def test_the_page_says_a_changed_byte_broke_the_seal(client, issued):
    html = _upload(client, issued, _changed_byte(_content(issued)))
    assert DOES_NOT_MATCH in html
    assert "The seal on this file is NOT valid." in html
    assert BROKEN in html


def test_the_page_says_something_was_added_after_sealing(client, issued):
    html = _upload(client, issued, _updated_after_sealing(_content(issued)))
    assert DOES_NOT_MATCH in html
    assert "The seal on this file is NOT valid." in html
    assert INTACT in html  # what was sealed is untouched ...
    assert ADDED in html  # ... but the file has more than was sealed


def test_the_page_says_when_a_file_has_no_seal(client, issued):
    html = _upload(client, issued, b"%PDF-1.4\n%%EOF\n")
    assert DOES_NOT_MATCH in html
    assert "The seal on this file is NOT valid." in html


def test_the_page_checks_against_the_configured_roots_only(client, issued, settings, tmp_path):
    demo_pki_ensure(tmp_path / "other", passphrase="x")
    settings.DOCUMENT_SEAL_TRUST_ROOTS = [str(tmp_path / "other" / "root.pem")]
    html = _upload(client, issued, _content(issued))
    assert MATCHES in html  # the same bytes ...
    assert "does NOT chain to a root this site trusts." in html  # ... but not from a trusted root
    assert "The seal on this file is NOT valid." in html


def _verify_pdf(path, *args) -> str:
    out = io.StringIO()
    call_command("verify_pdf", str(path), *args, stdout=out)
    return out.getvalue()


def test_verify_pdf_says_an_issued_file_is_valid(issued):
    output = _verify_pdf(issued.file.path)
    assert f"[ok] {INTACT}" in output
    assert f"[ok] {SEALED_BY}" in output
    assert "[ok] This file is, byte for byte, the issued document (SHA-256 matches)." in output
    assert "[ok] Status: Valid." in output
    assert output.rstrip().endswith("is valid.")


@pytest.mark.parametrize("change", [_changed_byte, _updated_after_sealing])
def test_verify_pdf_exits_non_zero_for_a_changed_copy(issued, tmp_path, change):
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(change(_content(issued)))
    with pytest.raises(
        CommandError, match="is NOT valid: its seal is not valid; it is not the issued file"
    ):
        _verify_pdf(copy)


def test_verify_pdf_with_an_unknown_root_says_untrusted(issued, tmp_path):
    demo_pki_ensure(tmp_path / "other", passphrase="x")
    out = io.StringIO()
    with pytest.raises(CommandError, match="its seal is not valid"):
        call_command(
            "verify_pdf",
            issued.file.path,
            "--trust-roots",
            str(tmp_path / "other" / "root.pem"),
            stdout=out,
        )
    assert (
        "[NO] The seal's certificate does NOT chain to a root this site trusts." in out.getvalue()
    )


def test_verify_pdf_says_a_revoked_document_is_not_valid(issued, member, organisation):
    document_revoke(
        document=issued, reason="Issued in error", actor=member(Role.GOVERNANCE_LEAD, organisation)
    )
    with pytest.raises(CommandError, match="the document is revoked"):
        _verify_pdf(issued.file.path)


def test_verify_pdf_of_a_file_this_database_did_not_issue_checks_the_seal_alone(issued):
    path = issued.file.path
    issued.delete()
    output = _verify_pdf(path)
    assert "only the seal was checked" in output
    assert output.rstrip().endswith("is valid.")


def test_verify_pdf_of_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        _verify_pdf(tmp_path / "absent.pdf")
