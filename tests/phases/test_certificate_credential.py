"""The completion certificate as a verifiable credential (issue 15, part 4).

Built through the services: independence approved, the certificate issued, the trainee downloads
the credential from the progress page's certificate row. Checked as a stranger would: the public
check page, the JWKS, the status list, and ``manage.py verify_credential``. All offline.
"""

import base64
import json
from datetime import UTC
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from joserfc import jwt

from audit.models import AuditEvent
from documents.credential_check import credential_check, jwt_parts
from documents.credential_keys import credential_verification_keys, public_key_pem
from documents.demo_pki import credential_key_write
from documents.models import GeneratedDocument, IssuedCredential
from documents.selectors import credential_status_from_site
from phases.services import phase_return_request
from signoffs.selectors import signoff_requests_for_subject

from ..agreements.conftest import sign_step
from ..conftest import sign_in
from ..seal_pki import PASSPHRASE
from .test_phase_access import _approved_independence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def status_list_cache(settings, tmp_path):
    """Each test its own cache of fetched status lists: none carries over from another test."""
    settings.CREDENTIAL_STATUS_CACHE_DIR = tmp_path / "status-cache"
    return settings.CREDENTIAL_STATUS_CACHE_DIR


@pytest.fixture
def certificate(small_world, django_capture_on_commit_callbacks):
    request = _approved_independence(small_world, django_capture_on_commit_callbacks)
    document = GeneratedDocument.objects.get(kind="completion_certificate", subject_id=request.pk)
    assert document.status == GeneratedDocument.Status.READY
    return document


@pytest.fixture
def credential(small_world, certificate, client):
    """The credential as the trainee downloads it from the progress page."""
    sign_in(client, small_world.trainee)
    page = client.get(f"/progress/{small_world.agreement.pk}/").content.decode()
    url = f"/documents/{certificate.pk}/credential/"
    assert f'href="{url}"' in page and "Download the credential" in page
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/vc+jwt"
    assert ".jwt" in response["Content-Disposition"]
    return response.content.decode()


def _check(token):
    return credential_check(token, resolve=credential_status_from_site)


def _tampered(token: str, change) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


def _return_to_phase_two(world):
    back = phase_return_request(
        agreement=world.agreement,
        actor=world.employer_clinical_director,
        to_phase=2,
        reason="A concern about practice.",
    )
    for step in signoff_requests_for_subject(back).get().steps.all():
        sign_step(world, step)


def test_the_credential_says_what_it_should_and_verifies(small_world, certificate, credential):
    header, claims = jwt_parts(credential)
    assert header["alg"] == "ES256" and header["typ"] == "vc+jwt"
    assert header["kid"].startswith("demo-not-trusted-")  # the demo key says so
    assert header["jwk"]["kid"] == header["kid"] and "d" not in header["jwk"]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    employer = small_world.version.employer
    assert claims["issuer"]["name"] == employer.name
    assert claims["iss"] == claims["issuer"]["id"]
    assert claims["issuer"]["id"].endswith(f"/credentials/issuers/{employer.pk}/")
    subject = claims["credentialSubject"]
    # The trainee's name and GMC number, nothing more.
    assert set(subject) == {"type", "identifier", "licenseNumber", "achievement"}
    assert subject["identifier"][0]["identityHash"] == small_world.trainee.full_name
    assert subject["licenseNumber"] == f"GMC {small_world.trainee.gmc_number}"
    assert "independent stroke thrombectomy" in subject["achievement"]["name"].lower()
    evidence = " ".join(json.dumps(item) for item in claims["evidence"])
    assert small_world.agreement.reference in evidence
    assert certificate.verification_code in evidence
    assert "Phase 1 (direct supervision): from" in evidence and "achieved" in evidence
    assert "P-0" not in evidence  # the cases' own references never reach the credential
    status = claims["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusListCredential"].endswith(f"/credentials/status/{employer.pk}/")

    check = _check(credential)
    assert check.signature_ok and check.issuer_ours and check.status == "active", check
    # Valid against the configured key, whose name says it is a demo one.
    assert check.ok
    assert "It is a demo key (demo: not trusted outside development)." in check.sentences()[0]

    issued = IssuedCredential.objects.get(document=certificate)
    event = AuditEvent.objects.get(verb="credential.issued")
    assert event.object_id == str(issued.pk) and event.actor_id == small_world.trainee.pk


def test_downloading_again_gives_the_same_credential(certificate, credential, client):
    again = client.get(f"/documents/{certificate.pk}/credential/").content.decode()
    assert again == credential
    assert AuditEvent.objects.filter(verb="credential.issued").count() == 1


def test_a_changed_claim_fails(credential):
    def rename(claims):
        claims["credentialSubject"]["identifier"][0]["identityHash"] = "Dr Someone Else"

    check = _check(_tampered(credential, rename))
    assert not check.signature_ok and not check.ok
    assert "The signature is NOT valid" in check.sentences()[0]


def test_after_a_return_to_an_earlier_phase_its_status_reads_revoked(
    small_world, certificate, credential, client
):
    assert _check(credential).status == "active"
    _return_to_phase_two(small_world)
    check = _check(credential)
    assert check.signature_ok and check.status == "revoked" and not check.ok
    assert any(s.startswith("REVOKED") for s in check.sentences())
    revoked = AuditEvent.objects.get(verb="credential.revoked")
    assert revoked.object_id == str(IssuedCredential.objects.get().pk)
    # Whoever withdrew the certificate withdrew its credential: the same person on both records.
    certificate.refresh_from_db()
    assert certificate.revoked_by is not None and revoked.actor == certificate.revoked_by
    # The published list itself has the bit set, signed.
    issuer = small_world.version.employer
    listed = client.get(f"/credentials/status/{issuer.pk}/")
    assert listed.status_code == 200 and listed["Content-Type"] == "application/vc+jwt"
    keys = credential_verification_keys()
    decoded = jwt.decode(listed.content.decode(), keys[0].jwk)
    assert decoded.claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    # A withdrawn certificate gets no fresh credential: the download says why.
    refused = client.get(f"/documents/{certificate.pk}/credential/")
    assert refused.status_code == 409 and "no longer valid" in refused.content.decode()


def test_after_key_rotation_old_credentials_still_verify(
    certificate, credential, client, settings, tmp_path
):
    old_key = credential_verification_keys()[0]
    retired = tmp_path / "retired-1.pem"
    retired.write_bytes(public_key_pem(old_key))
    new_key_file = tmp_path / "credential-key-2.pem"
    credential_key_write(new_key_file, PASSPHRASE)
    settings.CREDENTIAL_SIGNING_KEY = str(new_key_file)
    settings.CREDENTIAL_RETIRED_PUBLIC_KEYS = [str(retired)]

    jwks = client.get("/.well-known/jwks.json").json()
    kids = [key["kid"] for key in jwks["keys"]]
    assert len(kids) == 2 and kids[1] == old_key.kid and kids[0] != old_key.kid
    assert all("d" not in key for key in jwks["keys"])  # public halves only
    check = _check(credential)
    assert check.ok and check.key_retired
    assert "retired since, still listed" in check.sentences()[0]
    # The status list is now signed with the new key, and still read.
    assert check.status == "active"
    # Without the retired key listed, the old credential cannot be checked: the rotation step
    # the README names is what keeps it verifying.
    settings.CREDENTIAL_RETIRED_PUBLIC_KEYS = []
    assert not _check(credential).ok


def test_without_a_signing_key_the_download_says_so_and_issues_nothing(
    small_world, certificate, client, settings
):
    settings.CREDENTIAL_SIGNING_KEY = ""
    sign_in(client, small_world.trainee)
    response = client.get(f"/documents/{certificate.pk}/credential/")
    assert response.status_code == 503
    assert "cannot be issued just now" in response.content.decode()
    assert not IssuedCredential.objects.exists()
    assert not AuditEvent.objects.filter(verb="credential.issued").exists()


def test_the_issuer_profile_and_jwks_are_public(small_world, credential, client):
    client.logout()
    _header, claims = jwt_parts(credential)
    profile = client.get(urlsplit(claims["issuer"]["id"]).path).json()
    assert profile == claims["issuer"]
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200 and jwks["Access-Control-Allow-Origin"] == "*"
    assert [key["kty"] for key in jwks.json()["keys"]] == ["EC"]


def test_the_check_page_says_valid_in_plain_words(credential, client):
    client.logout()
    page = client.post("/credentials/check/", {"token": credential}).content.decode()
    assert "This credential is valid." in page
    assert "Not revoked, according to this site" in page
    issued = IssuedCredential.objects.get().issued_at  # validFrom is the issue time, in UTC
    assert f"from {issued.astimezone(UTC):%-d %b %Y}." in page  # dated as every page is


def test_the_check_page_takes_an_uploaded_file(credential, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.logout()
    upload = SimpleUploadedFile("certificate.jwt", credential.encode(), "application/jwt")
    page = client.post("/credentials/check/", {"file": upload}).content.decode()
    assert "This credential is valid." in page


def test_the_check_page_says_a_changed_copy_is_not_valid(credential, client):
    changed = _tampered(credential, lambda c: c.update(validFrom="2020-01-01T00:00:00Z"))
    page = client.post("/credentials/check/", {"token": changed}).content.decode()
    assert "This credential is NOT valid." in page and "The signature is NOT valid" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "id_file-error", "Choose the credential file, or paste the credential below."),
        ({"token": "hello"}, "id_token-error", "This is not a credential: a credential is a JWT"),
        ({"token": "a.b.c"}, "id_token-error", "its parts are not readable JWT"),
    ],
)
def test_bad_input_gets_a_clear_message_beside_the_field(client, db, data, field, message):
    page = client.post("/credentials/check/", data).content.decode()
    assert message in page
    # The NHS.UK error message sits with its field (above the box), named by the field's id.
    beside = page.split(f'id="{field}"', 1)[1].split("</span>\n", 1)[0]
    assert message in beside
    assert "This credential is" not in page


def test_a_garbage_upload_gets_a_clear_message_beside_the_file_field(client, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    garbage = SimpleUploadedFile("photo.jwt", bytes(range(256)) * 4, "application/octet-stream")
    page = client.post("/credentials/check/", {"file": garbage}).content.decode()
    beside = page.split('id="id_file-error"', 1)[1].split("</span>\n", 1)[0]
    assert "This file is not a credential (it is not text)" in beside


def test_verify_credential_command_offline_with_a_cached_status_list(
    small_world, credential, client, tmp_path, capsys
):
    path = tmp_path / "certificate.jwt"
    path.write_text(credential)
    issuer = small_world.version.employer
    status_file = tmp_path / "status.jwt"
    status_file.write_text(client.get(f"/credentials/status/{issuer.pk}/").content.decode())

    call_command("verify_credential", str(path), status_list=str(status_file))
    out = capsys.readouterr().out
    assert "is a valid credential" in out and "Not revoked" in out and "old)" in out

    # Offline and nothing cached yet: the status cannot be read, so it is not called valid.
    with pytest.raises(CommandError, match="NOT a valid credential"):
        call_command("verify_credential", str(path), offline=True)
    assert "No cached status list" in capsys.readouterr().out


def test_verify_credential_command_uses_its_cache_and_says_how_old_it_is(
    small_world, credential, client, tmp_path, capsys
):
    from datetime import UTC, datetime, timedelta

    from documents.management.commands.verify_credential import status_list_cache_write

    _header, claims = jwt_parts(credential)
    url = claims["credentialStatus"]["statusListCredential"]
    token = client.get(urlsplit(url).path).content.decode()
    status_list_cache_write(url, token, datetime.now(UTC) - timedelta(hours=5))
    path = tmp_path / "certificate.jwt"
    path.write_text(credential)
    call_command("verify_credential", str(path), offline=True)
    out = capsys.readouterr().out
    assert "the status list cached on this machine" in out and "5 hours old" in out


def test_verify_credential_command_refuses_a_changed_copy_and_garbage(credential, tmp_path):
    changed = tmp_path / "changed.jwt"
    changed.write_text(_tampered(credential, lambda c: c.update(name="Something else")))
    with pytest.raises(CommandError, match="NOT a valid credential"):
        call_command("verify_credential", str(changed), offline=True)
    garbage = tmp_path / "garbage.jwt"
    garbage.write_bytes(b"\x00\xff" * 10)
    with pytest.raises(CommandError, match="not a credential"):
        call_command("verify_credential", str(garbage))


def test_verify_credential_command_fetches_the_status_list_and_caches_it_for_offline(
    small_world, certificate, settings, tmp_path, capsys
):
    """The status list comes over HTTP from the URL in the credential (a local server here), is
    cached, and answers from the cache when offline."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from documents.credential_status import status_list_token
    from documents.credentials import credential_for_document

    served = {}

    class StatusList(BaseHTTPRequestHandler):
        def do_GET(self):
            body = served.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/vc+jwt")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), StatusList)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.SITE_URL = f"http://127.0.0.1:{server.server_port}"
        issued = credential_for_document(document=certificate, actor=small_world.trainee)
        issuer = small_world.version.employer
        served[f"/credentials/status/{issuer.pk}/"] = status_list_token(issuer)
        path = tmp_path / "certificate.jwt"
        path.write_text(issued.token)

        call_command("verify_credential", str(path))
        out = capsys.readouterr().out
        assert f"the status list fetched from {settings.SITE_URL}/credentials/status/" in out
        assert "is a valid credential" in out
    finally:
        server.shutdown()
        server.server_close()
    # The site is gone: the command says so, and answers from the cache with its age.
    call_command("verify_credential", str(path))
    out = capsys.readouterr().out
    assert "Could not fetch the status list" in out
    assert "Not revoked, according to the status list cached on this machine" in out
    assert "under two minutes old" in out and "is a valid credential" in out


def test_a_credential_signed_by_another_key_fails_even_with_that_key_in_its_header(
    certificate, credential
):
    """A forger who signs with a key of their own and puts it in the header (and even our key's
    id) is refused: only the keys this site lists are trusted."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from joserfc.jwk import ECKey

    _header, claims = jwt_parts(credential)
    ours = credential_verification_keys()[0]
    theirs = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    forged = jwt.encode(
        {
            "alg": "ES256",
            "kid": ours.kid,
            "typ": "vc+jwt",
            "jwk": theirs.as_dict(private=False),
        },
        claims,
        theirs,
    )
    check = _check(forged)
    assert not check.signature_ok and not check.ok
