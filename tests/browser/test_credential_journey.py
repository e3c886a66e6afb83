"""Acceptance (issue 15): the trainee downloads the sealed certificate and its verifiable
credential from the progress page; a stranger uploads both to the public pages and sees them
valid, and a changed copy of each invalid.

Independence is approved through the services (tests/browser/test_phases_journey.py walks the
chain in the browser); everything after is the browser's. Screenshots in test-artifacts/:
credential-certificate-row-{desktop,phone}.png, credential-check-{desktop,phone}.png,
credential-check-changed.png, certificate-seal-60dpi.png (pdftoppm -r 60 of the last page, where
the visible seal block is).
"""

import base64
import contextlib
import json
import subprocess

from playwright.sync_api import expect

from documents.models import GeneratedDocument

from ..phases.conftest import small_world_build
from ..phases.test_phase_access import _approved_independence
from .conftest import browser_sign_in, sideways_overflow
from .test_agreement_journey import _page_count, pdf_made_in_process  # noqa: F401  (a fixture)

PDF_TIMEOUT_MS = 60_000


def _on_commit_runs_anyway(execute=True):
    # A live-server test is transactional: on-commit callbacks run at each commit by themselves.
    return contextlib.nullcontext()


def _changed_copy(data: bytes) -> bytes:
    """One byte changed in the middle of the file (inside the sealed content)."""
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def _changed_credential(token: str) -> str:
    """The same credential, its holder's name changed and the signature kept: a forgery."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Dr Someone Else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return ".".join([header, forged, signature])


def test_certificate_and_credential_are_downloaded_and_checked_by_anyone(
    live_server, open_browser, artifacts_dir, pdf_made_in_process
):
    world = small_world_build()
    request = _approved_independence(world, _on_commit_runs_anyway)
    certificate = GeneratedDocument.objects.get(
        kind="completion_certificate", subject_id=request.pk
    )
    assert certificate.status == GeneratedDocument.Status.READY
    people = []

    # The trainee, at a desk, on the progress page's certificate row.
    desk = open_browser("desktop")
    people.append(desk)
    browser_sign_in(desk, world.trainee)
    desk.goto(f"/progress/{world.agreement.pk}/")
    page = desk.page
    pdf_link = page.get_by_role("link", name="Download the PDF")
    expect(pdf_link).to_be_visible(timeout=PDF_TIMEOUT_MS)
    credential_link = page.get_by_role("link", name="Download the credential")
    expect(credential_link).to_be_visible()
    credential_link.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "credential-certificate-row-desktop.png", full_page=True)
    with page.expect_download() as pdf_download:
        pdf_link.click()
    pdf_path = artifacts_dir / "certificate-sealed.pdf"
    pdf_download.value.save_as(pdf_path)
    with page.expect_download() as credential_download:
        credential_link.click()
    credential_path = artifacts_dir / "certificate.jwt"
    credential_download.value.save_as(credential_path)
    assert credential_download.value.suggested_filename.endswith(".jwt")
    token = credential_path.read_text()
    assert token.startswith("eyJ") and token.count(".") == 2

    # The visible seal block, drawn at 60 dpi on the last page (looked at by a person).
    pages = _page_count(pdf_path)
    seal_png = artifacts_dir / "certificate-seal-60dpi"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(pages), "-l", str(pages), "-singlefile"]
        + [str(pdf_path), str(seal_png)],
        check=True,
    )
    assert seal_png.with_suffix(".png").stat().st_size > 5_000

    # The same row on a phone.
    phone = open_browser("phone")
    people.append(phone)
    browser_sign_in(phone, world.trainee)
    phone.goto(f"/progress/{world.agreement.pk}/")
    expect(phone.page.get_by_role("link", name="Download the credential")).to_be_visible()
    phone.page.get_by_role("link", name="Download the credential").scroll_into_view_if_needed()
    phone.page.screenshot(path=artifacts_dir / "credential-certificate-row-phone.png")
    assert sideways_overflow(phone.page) == 0

    # Anyone: the PDF on its verification page, the copy and a changed copy.
    stranger = open_browser("desktop")
    people.append(stranger)
    stranger.goto(f"/verify/{certificate.verification_code}/")
    upload = stranger.page.get_by_label("Check a copy of this document")
    upload.set_input_files(pdf_path)
    stranger.page.get_by_role("button", name="Check the file").click()
    result = stranger.page.locator("#file-result")
    expect(result).to_contain_text("This file matches the issued document")
    expect(stranger.page.locator("#seal-result")).to_contain_text("The seal on this file is valid.")
    changed_pdf = artifacts_dir / "certificate-sealed-changed.pdf"
    changed_pdf.write_bytes(_changed_copy(pdf_path.read_bytes()))
    stranger.page.get_by_label("Check a copy of this document").set_input_files(changed_pdf)
    stranger.page.get_by_role("button", name="Check the file").click()
    expect(result).to_contain_text("This file does NOT match the issued document")
    expect(stranger.page.locator("#seal-result")).to_contain_text(
        "The seal on this file is NOT valid."
    )

    # Anyone: the credential on the check page, then a changed copy of it.
    stranger.goto("/credentials/check/")
    stranger.page.get_by_label("The credential file").set_input_files(credential_path)
    stranger.page.get_by_role("button", name="Check the credential").click()
    verdict = stranger.page.locator("#credential-result")
    expect(verdict).to_contain_text("This credential is valid.")
    expect(verdict).to_contain_text(f"Issued by {world.employer.name}")
    expect(verdict).to_contain_text("Not revoked")
    stranger.page.screenshot(path=artifacts_dir / "credential-check-desktop.png", full_page=True)
    changed_path = artifacts_dir / "certificate-changed.jwt"
    changed_path.write_text(_changed_credential(token))
    stranger.page.get_by_label("The credential file").set_input_files(changed_path)
    stranger.page.get_by_role("button", name="Check the credential").click()
    expect(verdict).to_contain_text("This credential is NOT valid.")
    expect(verdict).to_contain_text("The signature is NOT valid")
    stranger.page.screenshot(path=artifacts_dir / "credential-check-changed.png", full_page=True)

    # Nothing chosen: the message stands beside the file field.
    stranger.page.get_by_role("button", name="Check the credential").click()
    expect(stranger.page.locator("#id_file-error")).to_contain_text(
        "Choose the credential file, or paste the credential below."
    )

    # On a phone, pasted.
    pocket = open_browser("phone")
    people.append(pocket)
    pocket.goto("/credentials/check/")
    pocket.page.get_by_label("Or paste the credential").fill(token)
    pocket.page.get_by_role("button", name="Check the credential").click()
    expect(pocket.page.locator("#credential-result")).to_contain_text("This credential is valid.")
    pocket.page.screenshot(path=artifacts_dir / "credential-check-phone.png", full_page=True)
    assert sideways_overflow(pocket.page) == 0

    for person in people:
        person.assert_no_csp_errors()
