"""Seals are PAdES B-LT where revocation data can be embedded, B-T where none is (issue 15): the
demo CA's CRL goes into the sealed file's DSS; a demo PKI made before CRLs still seals (B-T); a
configured CRL that cannot be used fails the render, never a quiet B-T."""

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from documents.demo_pki import CRL_URL, DEMO_LABEL, demo_pki_ensure
from documents.models import GeneratedDocument
from documents.sealing import SealError, pdf_seal_check, trust_roots_load
from documents.services import document_render
from tests.seal_pki import PASSPHRASE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_crl(settings, seal_pki):
    """The demo CRL embedded as outside tests (the session's default is B-T: tests/seal_pki.py)."""
    settings.DOCUMENT_SEAL_DEMO_CRL = str(seal_pki / "root.crl")


def _dss_crls(content: bytes) -> list[bytes]:
    root = PdfFileReader(BytesIO(content)).root
    if "/DSS" not in root:
        return []
    dss = root["/DSS"]
    return [stream.get_object().data for stream in dss.get("/CRLs", ())]


def test_the_demo_pki_issues_a_crl_and_its_seal_names_a_distribution_point(seal_pki):
    crl = x509.load_der_x509_crl((seal_pki / "root.crl").read_bytes())
    root = x509.load_pem_x509_certificate((seal_pki / "root.pem").read_bytes())
    assert crl.issuer == root.subject and DEMO_LABEL in crl.issuer.rfc4514_string()
    assert crl.is_signature_valid(root.public_key())
    _key, seal, _chain = pkcs12.load_key_and_certificates(
        (seal_pki / "seal.p12").read_bytes(), PASSPHRASE.encode()
    )
    assert seal is not None
    points = seal.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [name.value for point in points for name in point.full_name or ()] == [CRL_URL]


def test_a_seal_made_with_the_demo_crl_carries_it_and_validates(issued, seal_pki):
    content = Path(issued.file.path).read_bytes()
    crl_der = (seal_pki / "root.crl").read_bytes()
    assert crl_der in _dss_crls(content)  # PAdES B-LT: the file carries its revocation data

    [signature] = PdfFileReader(BytesIO(content)).embedded_signatures
    context = ValidationContext(
        trust_roots=trust_roots_load([seal_pki / "root.pem"]),
        crls=[asn1_crl.CertificateList.load(crl_der)],
        allow_fetching=False,
        revocation_mode="hard-fail",  # the seal names a distribution point: its CRL must check
    )
    status = validate_pdf_signature(signature, signer_validation_context=context)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()

    check = pdf_seal_check(content)
    assert check.ok and check.long_term, check
    assert any("long-term validation data embedded" in sentence for sentence in check.sentences())


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="needs poppler's pdfsig (poppler-utils)")
def test_the_dss_is_in_the_seals_own_revision_so_the_seal_covers_the_whole_file(issued):
    output = subprocess.run(
        ["pdfsig", issued.file.path], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    assert "Signature is Valid" in output
    assert "Total document signed" in output


def test_a_demo_pki_without_a_crl_still_seals_b_t(requested, settings, tmp_path):
    # A demo PKI made before CRLs: its folder has no root.crl, and its seal names no CRL.
    old = tmp_path / "old-pki"
    demo_pki_ensure(old, passphrase=PASSPHRASE)
    (old / "root.crl").unlink()
    settings.DOCUMENT_SEAL_PKCS12 = str(old / "seal.p12")
    settings.DOCUMENT_SEAL_PKCS12_DIR = ""
    settings.DOCUMENT_SEAL_DEMO_TSA = str(old / "tsa.p12")
    settings.DOCUMENT_SEAL_TRUST_ROOTS = [str(old / "root.pem")]
    settings.DOCUMENT_SEAL_DEMO_CRL = str(old / "root.crl")

    document = document_render(document_id=requested.pk)
    content = Path(document.file.path).read_bytes()
    assert "/DSS" not in PdfFileReader(BytesIO(content)).root
    check = pdf_seal_check(content)
    assert check.ok and not check.long_term, check
    assert not any("revocation data" in sentence for sentence in check.sentences())


@pytest.mark.parametrize("content", [None, b"not a CRL"], ids=["missing", "garbage"])
def test_a_configured_crl_that_cannot_be_read_fails_the_render(
    requested, settings, tmp_path, content
):
    path = tmp_path / "trust.crl"
    if content is not None:
        path.write_bytes(content)
    settings.DOCUMENT_SEAL_CRLS = [str(path)]
    with pytest.raises(SealError, match="Could not read the revocation list trust.crl"):
        document_render(document_id=requested.pk)
    requested.refresh_from_db()
    assert requested.status == GeneratedDocument.Status.PENDING
    assert not requested.file and not requested.sha256


def test_a_configured_crl_of_another_ca_fails_the_render(requested, settings, tmp_path):
    # Readable, but it does not cover the seal's certificate (which names a distribution point).
    other = tmp_path / "other-pki"
    demo_pki_ensure(other, passphrase=PASSPHRASE)
    settings.DOCUMENT_SEAL_CRLS = [str(other / "root.crl")]
    with pytest.raises(SealError):
        document_render(document_id=requested.pk)
    requested.refresh_from_db()
    assert requested.status == GeneratedDocument.Status.PENDING
