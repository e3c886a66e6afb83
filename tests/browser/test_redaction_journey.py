"""An administrator, acting for the Caldicott guardian, finds identifiers that slipped in (in a
signature's reason and a phase-return reason) with scan_identifiers, redacts each from the
administration, and every proof still holds: the audit chain, every signature, the signed
agreement's /verify page, and a clean scan."""

import io
import re

from django.core.management import call_command
from playwright.sync_api import expect

from audit.models import Redaction
from documents.models import GeneratedDocument
from documents.services import document_render
from phases.services import phase_return_request
from signoffs.integrity import signoff_integrity_problems

from ..phases.conftest import small_world_build
from ..privacy.test_redaction import SLIPPED_IN, guard_off, to_phase_two
from .conftest import browser_sign_in, sideways_overflow


def _scan():
    out = io.StringIO()
    try:
        call_command("scan_identifiers", stdout=out, stderr=io.StringIO())
    except SystemExit as exited:
        return exited.code, out.getvalue()
    return 0, out.getvalue()


def test_redacting_identifiers_keeps_every_chain(live_server, open_browser, artifacts_dir):
    world = small_world_build()
    agreement_pdf = GeneratedDocument.objects.get(kind="agreement")
    document_render(document_id=agreement_pdf.pk)
    with guard_off():
        signature = to_phase_two(world, reason=SLIPPED_IN)
        back = phase_return_request(
            agreement=world.agreement,
            actor=world.employer_clinical_director,
            to_phase=1,
            reason=f"Concerns: {SLIPPED_IN}",
        )

    code, found = _scan()
    assert code == 1
    assert f"signoffs_signature\treason\trow {signature.pk}\tpatient name" in found
    assert f"phases_progressionrequest\treason\trow {back.pk}\tpatient name" in found
    assert "Brown" not in found  # the scan names where, never what

    admin = open_browser("desktop")
    browser_sign_in(admin, world.administrator)
    page = admin.page
    for column, row in (
        ("signoffs_signature.reason", signature.pk),
        ("phases_progressionrequest.reason", back.pk),
    ):
        admin.goto("/admin/audit/redaction/add/")
        expect(page.get_by_role("heading", name="Redact a text")).to_be_visible()
        page.get_by_label("Table and column").select_option(column)
        page.get_by_label("Row id").fill(str(row))
        page.get_by_label("Why").select_option(Redaction.Reason.PATIENT_IDENTIFIER)
        if row == back.pk:
            page.screenshot(path=artifacts_dir / "redaction-form.png", full_page=True)
        page.get_by_role("button", name="Redact").click()
        expect(
            page.get_by_text(re.compile(rf"Redacted {re.escape(column)}, row {row}"))
        ).to_be_visible()
    page.screenshot(path=artifacts_dir / "redaction-list.png", full_page=True)
    expect(page.locator("#result_list tbody tr")).to_have_count(2)

    # A wrong row id is refused beside the field, and nothing is recorded.
    admin.goto("/admin/audit/redaction/add/")
    page.get_by_label("Table and column").select_option("signoffs_signature.reason")
    page.get_by_label("Row id").fill("999999")
    page.get_by_role("button", name="Redact").click()
    expect(page.locator("#id_object_id_error")).to_contain_text("no row with that id")
    assert Redaction.objects.count() == 2

    call_command("audit_verify", stdout=io.StringIO())  # SystemExit(1) if the chain broke
    assert signoff_integrity_problems() == []
    assert _scan()[0] == 0

    visitor = open_browser("phone")
    visitor.goto(f"/verify/{agreement_pdf.verification_code}/")
    expect(visitor.page.get_by_text("Valid.")).to_be_visible()
    assert sideways_overflow(visitor.page) == 0
    visitor.page.screenshot(path=artifacts_dir / "redaction-verify-still-valid.png", full_page=True)

    trainee = open_browser("desktop")
    browser_sign_in(trainee, world.trainee)
    trainee.goto(f"/progress/{world.agreement.pk}/")
    # Both the return's reason and the advance signature's reason read "[redacted]".
    expect(trainee.page.get_by_text("Reason: [redacted]")).to_have_count(2)
    expect(trainee.page.get_by_text("Brown")).to_have_count(0)
