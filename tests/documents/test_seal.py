"""Every issued PDF carries a PAdES seal that checks offline (issue 15, parts 1 and 2); B-T, or B-LT
with the demo CRL embedded (tests/documents/test_seal_long_term.py)."""

import hashlib
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditEvent
from documents.demo_pki import DEMO_LABEL, demo_pki_ensure
from documents.models import GeneratedDocument
from documents.sealing import SEAL_FIELD, SealError, pdf_seal_check, trust_roots_load
from documents.services import document_render, document_request
from documents.tasks import RENDER_MAX_RETRIES, document_render_task
from tests.factories import OrganisationFactory
from tests.seal_pki import OWN_SEAL_ORGANISATION_ID, OWN_SEAL_ORGANISATION_NAME

from .conftest import KIND

pytestmark = pytest.mark.django_db

PROGRAMME_SEAL = f"Mechanical thrombectomy training programme ({DEMO_LABEL})"


def _content(document) -> bytes:
    return Path(document.file.path).read_bytes()


def _run(*command) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def test_an_issued_pdf_validates_with_pyhanko_against_the_demo_root(issued, seal_pki):
    content = _content(issued)
    assert issued.sha256 == hashlib.sha256(content).hexdigest()  # the sealed file's hash
    reader = PdfFileReader(BytesIO(content))
    [signature] = reader.embedded_signatures
    assert signature.field_name == SEAL_FIELD
    roots = trust_roots_load([seal_pki / "root.pem"])
    status = validate_pdf_signature(
        signature, signer_validation_context=ValidationContext(trust_roots=roots)
    )
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted
    # The seal is incremental: WeasyPrint's file is its first revision, untouched.
    assert content.count(b"%%EOF") >= 2

    check = pdf_seal_check(content)
    assert check.ok, check
    assert check.organisation == PROGRAMME_SEAL
    assert not check.modified_after


def test_every_seal_is_recorded_in_the_issue_event(issued):
    event = AuditEvent.objects.get(verb="document.issued")
    seal = event.data["seal"]
    assert DEMO_LABEL in seal["certificate"]
    check = pdf_seal_check(_content(issued))
    assert seal["timestamp"] == check.timestamp.isoformat()


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="needs poppler's pdfsig (poppler-utils)")
def test_poppler_pdfsig_lists_the_seal(issued):
    output = _run("pdfsig", issued.file.path)
    assert "Signature #1" in output
    assert f"Signature Field Name: {SEAL_FIELD}" in output
    assert "Signature is Valid" in output
    assert "Total document signed" in output
    assert DEMO_LABEL in output


def test_one_changed_byte_breaks_the_seal(issued):
    content = bytearray(_content(issued))
    # A byte inside the first content stream: covered by the seal, and still a readable PDF.
    position = content.index(b"stream\n") + 40
    content[position] ^= 0x01
    check = pdf_seal_check(bytes(content))
    assert check.sealed and not check.intact
    assert not check.ok
    assert check.sentences()[0].startswith("The seal is broken")


def test_an_incremental_update_after_sealing_is_reported_as_modified(issued):
    writer = IncrementalPdfFileWriter(BytesIO(_content(issued)))
    writer.root["/Lang"] = generic.TextStringObject("fr")
    writer.update_root()
    changed = BytesIO()
    writer.write(changed)
    check = pdf_seal_check(changed.getvalue())
    assert check.intact and check.valid and check.trusted  # the sealed revision itself is fine
    assert check.modified_after
    assert not check.ok
    assert "Something was added to the file after it was sealed." in check.sentences()


def test_an_unknown_root_is_reported_as_untrusted(issued, tmp_path):
    demo_pki_ensure(tmp_path / "elsewhere", passphrase="another")
    check = pdf_seal_check(
        _content(issued), trust_roots=trust_roots_load([tmp_path / "elsewhere" / "root.pem"])
    )
    assert check.intact and check.valid
    assert not check.trusted
    assert not check.ok
    assert "The seal's certificate does NOT chain to a root this site trusts." in check.sentences()


def test_an_organisation_with_a_key_of_its_own_seals_its_documents(
    queued, django_capture_on_commit_callbacks
):
    own = OrganisationFactory(pk=OWN_SEAL_ORGANISATION_ID, name=OWN_SEAL_ORGANISATION_NAME)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(kind=KIND, subject=own, content_digest="b" * 64)
    document_render_task(document.pk)
    document.refresh_from_db()
    check = pdf_seal_check(_content(document))
    assert check.ok
    assert check.organisation == f"{OWN_SEAL_ORGANISATION_NAME} ({DEMO_LABEL})"


def test_the_signature_field_lies_over_the_visible_seal_block_on_the_last_page(issued):
    content = _content(issued)
    reader = PdfFileReader(BytesIO(content))
    [signature] = reader.embedded_signatures
    widget = signature.sig_field
    pages = int(_run("pdfinfo", issued.file.path).split("Pages:")[1].split()[0])
    last_page = reader.root["/Pages"]["/Kids"][pages - 1].get_object()
    assert any(
        a.get_object() is widget or a.get_object() == widget for a in last_page.get("/Annots", ())
    )
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    page_height = float(last_page["/MediaBox"][3])
    # pdftotext's crop box is from the top left, in points at 72 dpi.
    inside = _run(
        "pdftotext",
        "-f",
        str(pages),
        "-l",
        str(pages),
        "-r",
        "72",
        "-x",
        str(int(x1)),
        "-y",
        str(int(page_height - y2)),
        "-W",
        str(int(x2 - x1)),
        "-H",
        str(int(y2 - y1)),
        issued.file.path,
        "-",
    )
    assert "ELECTRONIC SEAL" in inside
    assert f"Sealed by {PROGRAMME_SEAL}" in " ".join(inside.split())
    assert issued.verification_code in inside
    assert issued.issued_at.strftime("%H:%M:%S") + " UTC" in inside


def test_an_unreadable_key_fails_the_render_and_the_document_is_not_ready(
    requested, settings, tmp_path
):
    broken = tmp_path / "broken.p12"
    broken.write_bytes(b"not a PKCS#12 file")
    settings.DOCUMENT_SEAL_PKCS12 = str(broken)
    with pytest.raises(SealError, match="Could not read the document seal key"):
        document_render(document_id=requested.pk)
    requested.refresh_from_db()
    assert requested.status == GeneratedDocument.Status.PENDING
    assert not requested.file and not requested.sha256

    # The task retries as for any render error, then marks the document failed: never ready.
    document_render_task.apply(args=[requested.pk])
    requested.refresh_from_db()
    assert requested.status == GeneratedDocument.Status.FAILED
    assert requested.attempts == RENDER_MAX_RETRIES + 2  # the direct call above, then the task's
    assert "SealError" in requested.last_error
    assert not AuditEvent.objects.filter(verb="document.issued").exists()


def test_a_wrong_passphrase_fails_the_render(requested, settings):
    settings.DOCUMENT_SEAL_PASSPHRASE = "not the passphrase"
    with pytest.raises(SealError):
        document_render(document_id=requested.pk)
    requested.refresh_from_db()
    assert requested.status == GeneratedDocument.Status.PENDING


def test_a_timestamp_authority_that_does_not_answer_fails_the_render(requested, settings):
    # A closed local port: refused at once, and no network is needed.
    settings.DOCUMENT_SEAL_DEMO_TSA = ""
    settings.DOCUMENT_SEAL_TSA_URL = "http://127.0.0.1:9/tsa"
    settings.DOCUMENT_SEAL_TSA_TIMEOUT_SECONDS = 2
    with pytest.raises(SealError, match="Could not seal the document"):
        document_render(document_id=requested.pk)
    requested.refresh_from_db()
    assert requested.status == GeneratedDocument.Status.PENDING
    assert not requested.sha256


def test_no_timestamp_authority_means_no_document(requested, settings):
    settings.DOCUMENT_SEAL_DEMO_TSA = ""
    settings.DOCUMENT_SEAL_TSA_URL = ""
    with pytest.raises(SealError, match="No timestamp authority"):
        document_render(document_id=requested.pk)


def test_the_demo_timestamp_authority_is_refused_in_production(requested, settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="DOCUMENT_SEAL_DEMO_TSA"):
        document_render(document_id=requested.pk)
    requested.refresh_from_db()
    assert requested.status == GeneratedDocument.Status.PENDING


def test_a_missing_key_says_how_to_make_a_demo_one(requested, settings, tmp_path):
    settings.DOCUMENT_SEAL_PKCS12 = str(tmp_path / "absent.p12")
    with pytest.raises(SealError, match="demo_pki"):
        document_render(document_id=requested.pk)


def test_the_last_page_png_for_a_person_to_look_at(issued, artifacts_dir):
    pages = int(_run("pdfinfo", issued.file.path).split("Pages:")[1].split()[0])
    prefix = artifacts_dir / "seal-test-kind-last-page"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            str(pages),
            "-l",
            str(pages),
            "-singlefile",
            issued.file.path,
            str(prefix),
        ],
        check=True,
        timeout=60,
    )
    assert prefix.with_suffix(".png").stat().st_size > 10_000


def test_demo_pki_makes_demo_labelled_keys_once(tmp_path, settings):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12
    from django.core.management import call_command

    folder = tmp_path / "pki"
    call_command("demo_pki", out=str(folder), passphrase="p", verbosity=0)
    files = sorted(p.name for p in folder.iterdir())
    assert files == [
        "credential-key.pem",
        "root.crl",
        "root.p12",
        "root.pem",
        "seal.p12",
        "tsa.p12",
    ]
    # The credential signing key is labelled too, and its key id says so.
    assert DEMO_LABEL in (folder / "credential-key.pem").read_text().splitlines()[0]
    assert (folder / "credential-key.pem").stat().st_mode & 0o077 == 0
    root = x509.load_pem_x509_certificate((folder / "root.pem").read_bytes())
    assert DEMO_LABEL in root.subject.rfc4514_string()
    for name in ("seal.p12", "tsa.p12"):
        _key, cert, _chain = pkcs12.load_key_and_certificates((folder / name).read_bytes(), b"p")
        assert DEMO_LABEL in cert.subject.rfc4514_string()
        assert cert.issuer == root.subject
    before = (folder / "seal.p12").read_bytes()
    call_command("demo_pki", out=str(folder), passphrase="p", verbosity=0)
    assert (folder / "seal.p12").read_bytes() == before  # only what is missing is made

    organisation = OrganisationFactory()
    call_command(
        "demo_pki", out=str(folder), passphrase="p", organisation_ids=[organisation.pk], verbosity=0
    )
    _key, cert, _chain = pkcs12.load_key_and_certificates(
        (folder / "organisations" / f"{organisation.pk}.p12").read_bytes(), b"p"
    )
    assert f"{organisation.name} ({DEMO_LABEL})" in cert.subject.rfc4514_string()


def test_demo_pki_is_refused_in_production(tmp_path, settings):
    from django.core.management import CommandError, call_command

    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="not for production"):
        call_command("demo_pki", out=str(tmp_path), passphrase="p")
    assert not any(tmp_path.iterdir())


def test_production_settings_refuse_the_demo_tsa():
    import os
    import sys

    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "TEXT_COMMITMENT_KEY": "y" * 40,
        "SITE_URL": "https://example.org",
        "DOCUMENT_SEAL_DEMO_TSA": "/tmp/tsa.p12",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import irtraining.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode != 0
    assert "DOCUMENT_SEAL_DEMO_TSA is for development and tests, never production" in result.stderr


def test_development_defaults_use_a_git_ignored_demo_pki():
    root = Path(__file__).resolve().parents[2]
    assert "demo-pki/" in (root / ".gitignore").read_text().split()
    assert "manage.py demo_pki" in (root / "Makefile").read_text()


def test_sealing_and_checking_work_where_an_event_loop_is_running(seal_pki):
    """pyHanko runs asyncio.run() inside; a caller's running loop (an async view, Playwright's test
    process) must not make sealing fail."""
    import asyncio

    from documents.pdf import pdf_from_html
    from documents.sealing import pdf_seal, seal_key_load

    bare = pdf_from_html("<p>A page</p>")

    async def seal_inside_a_loop():
        return pdf_seal(bare, key=seal_key_load(None), placement=None)

    sealed = asyncio.run(seal_inside_a_loop())

    async def check_inside_a_loop():
        return pdf_seal_check(sealed.content)

    assert asyncio.run(check_inside_a_loop()).ok


@pytest.fixture
def local_http_tsa(seal_pki):
    """An RFC 3161 timestamp authority over HTTP on 127.0.0.1 (the demo TSA's key behind it), so
    the production client, pyHanko's HTTPTimeStamper, is exercised without any network."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from asn1crypto import tsp

    from documents.sealing import _demo_timestamper

    authority = _demo_timestamper(seal_pki / "tsa.p12")
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(self.headers["Content-Type"])
            reply = authority.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa", requests
    server.shutdown()
    server.server_close()


def test_a_timestamp_authority_over_http_timestamps_the_seal(requested, settings, local_http_tsa):
    url, requests = local_http_tsa
    settings.DOCUMENT_SEAL_DEMO_TSA = ""
    settings.DOCUMENT_SEAL_TSA_URL = url
    document = document_render(document_id=requested.pk)
    # pyHanko asks once to size the signature's room for the token, then for the real token.
    assert requests and set(requests) == {"application/timestamp-query"}
    check = pdf_seal_check(_content(document))
    assert check.ok, check
    assert check.timestamped


def test_a_missing_seal_key_is_a_start_up_warning_outside_production(settings, tmp_path):
    from documents.checks import seal_key_present

    assert seal_key_present() == []
    settings.DOCUMENT_SEAL_PKCS12 = str(tmp_path / "absent.p12")
    [warning] = seal_key_present()
    assert warning.id == "documents.W001" and "demo_pki" in warning.hint
    settings.IS_PRODUCTION = True  # production is checked by the render itself, loudly
    assert seal_key_present() == []
