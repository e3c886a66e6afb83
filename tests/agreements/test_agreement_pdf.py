"""The signed agreement PDF: its text, its verification page, and what happens on amendment."""

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.services import agreement_amend
from documents.models import GeneratedDocument
from signoffs.models import Signature

from .conftest import draft, submit_and_sign_all

pytestmark = pytest.mark.django_db


def _pdf_text(document) -> str:
    with document.file.open("rb") as handle:
        data = handle.read()
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def signed(world, django_capture_on_commit_callbacks):
    agreement = draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        version, request = submit_and_sign_all(world, agreement)
    document = GeneratedDocument.objects.get(kind="agreement", subject_id=version.pk)
    return agreement, version, request, document


def test_the_pdf_names_every_signer_with_role_utc_time_and_meaning(signed):
    agreement, version, request, document = signed
    text = " ".join(_pdf_text(document).split())
    signatures = list(Signature.objects.filter(request=request))
    assert len(signatures) == 7
    for signature in signatures:
        assert signature.signer_name in text
        assert signature.signed_as in text
        assert f"{signature.signed_at:%Y-%m-%d %H:%M:%S} UTC" in text
        assert " ".join(signature.meaning.split()) in text
    assert document.verification_code in text
    assert f"/verify/{document.verification_code}/" in text
    assert request.digest in text
    for criterion in version.criteria.all():
        assert criterion.source.split(";")[0][:40] in text


def test_verify_page_says_valid_then_superseded_after_a_signed_amendment(
    signed, world, client, django_capture_on_commit_callbacks
):
    agreement, version, request, old = signed
    page = client.get(f"/verify/{old.verification_code}/").content.decode()
    assert "Valid." in page and world.trainee.full_name in page
    agreement_amend(actor=world.training_lead, agreement=agreement)
    with django_capture_on_commit_callbacks(execute=True):
        new_version, _ = submit_and_sign_all(world, agreement)
    new = GeneratedDocument.objects.get(kind="agreement", subject_id=new_version.pk)
    assert "Superseded on" in client.get(f"/verify/{old.verification_code}/").content.decode()
    assert "Valid." in client.get(f"/verify/{new.verification_code}/").content.decode()


def test_an_uploaded_copy_matches_only_when_byte_identical(signed, client):
    *_, document = signed
    with document.file.open("rb") as handle:
        original = handle.read()
    url = f"/verify/{document.verification_code}/"
    same = client.post(url, {"file": SimpleUploadedFile("a.pdf", original, "application/pdf")})
    assert "This file matches the issued document" in same.content.decode()
    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0x01
    tampered = client.post(
        url, {"file": SimpleUploadedFile("a.pdf", bytes(changed), "application/pdf")}
    )
    assert "does NOT match" in tampered.content.decode()
