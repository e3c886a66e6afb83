"""Acceptance: a training agreement from the draft form to a signed, verifiable PDF.

The training lead drafts it through the form, adjusts a criterion and submits it. Every required
party then signs in, in their own browser, and signs with a fresh backup code. The last signature
makes the agreement active and produces the PDF, which is downloaded, read with pdftotext, drawn
with pdftoppm and checked on the public verification page. A second, smaller journey: a clinical
director declines with a reason and the training lead sees it.
"""

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agreements.criteria_defaults import DEFAULT_TEMPLATE_NAME, default_template_ensure
from agreements.models import CriteriaTemplate, CriterionTemplate, TrainingAgreement, VersionStatus
from agreements.services import agreement_version_submit
from documents.models import GeneratedDocument
from irtraining.celery import app as celery_app
from signoffs.selectors import signoff_requests_for_subject

from ..agreements.conftest import build_world, draft
from ..factories import TEST_BACKUP_CODES
from .conftest import browser_sign_in, fill_date, path_is, sideways_overflow

# Each person's backup codes work once each: one for the sign-in, another for the signature.
SIGN_IN_CODE, SIGNING_CODE = TEST_BACKUP_CODES[0], TEST_BACKUP_CODES[1]
PDF_TIMEOUT_MS = 60_000
CHANGED_TARGET = "25"  # the first criterion's figure, changed on the edit page (default 20)
DECLINE_REASON = (
    "The backfill for the trainee's service needs a named locum and a start date before the "
    "directorate can agree to it."
)


def _with_gmc(user):
    """Supervisors are listed with their GMC number, so two doctors of one name can be told
    apart."""
    return f"{user.full_name} (GMC {user.gmc_number})"


def _field(page, label):
    """The control labelled exactly `label` (an optional field's label ends "(optional)")."""
    return page.get_by_label(re.compile(r"^\s*" + re.escape(label) + r"(\s*\(optional\))?\s*$"))


def _banner(page, text):
    """The notification banner that says `text`: a success is announced as an alert, anything
    else as a status or region."""
    return page.get_by_role("alert").or_(page.get_by_role("status")).filter(has_text=text)


def _date_boxes(page, legend):
    """The day, month and year boxes of the date field whose legend starts with `legend`."""
    group = page.get_by_role("group", name=re.compile(r"^" + re.escape(legend)))
    return [group.get_by_label(box) for box in ("Day", "Month", "Year")]


@pytest.fixture
def pdf_made_in_process(settings):
    """The PDF is produced by a Celery task. With REDIS_URL set (CI) tasks would go to Redis,
    where no worker runs during this test, and the PDF would stay pending for ever; the autouse
    fixture in tests/conftest.py sets CELERY_TASK_ALWAYS_EAGER for every test not marked
    real_worker. Prove that it reaches Celery (irtraining/celery.py reads Django's settings on each
    access, so pytest's settings fixture is seen by the live server's thread too)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the same as the autouse fixture; explicit here
    assert celery_app.conf.task_always_eager is True, "Celery did not pick up the setting"
    return settings


def _ensure_default_criteria_template():
    """A transactional test that ran earlier in the session emptied the table the migration
    filled; put the default template back."""
    default_template_ensure(CriteriaTemplate, CriterionTemplate)


def _draft_through_the_form(person, world, artifacts_dir):
    page = person.page
    page.get_by_role("link", name="Training agreements").first.click()
    expect(page.get_by_role("heading", name="Training agreements", level=1)).to_be_visible()
    page.get_by_role("link", name="Draft an agreement").click()
    expect(page).to_have_url(path_is("/agreements/new/"))
    expect(page.get_by_role("heading", name="Draft a training agreement")).to_be_visible()

    _field(page, "Trainee").select_option(label=world.trainee.full_name)
    template = _field(page, "Criteria template")
    expect(template.locator("option:checked")).to_contain_text(DEFAULT_TEMPLATE_NAME)
    _field(page, "Employing organisation").select_option(label=world.employer.name)
    _field(page, "Trainee's directorate").select_option(label=str(world.employer_directorate))
    _field(page, "Training centre").select_option(label=world.centre.name)
    _field(page, "Training centre directorate").select_option(label=str(world.centre_directorate))
    supervisors = page.locator("#div_id_supervisors")
    supervisors.get_by_label(_with_gmc(world.lead_supervisor), exact=True).check()
    supervisors.get_by_label(_with_gmc(world.second_supervisor), exact=True).check()
    _field(page, "Lead supervisor").select_option(label=_with_gmc(world.lead_supervisor))

    fill_date(page, "Start date", date(2026, 12, 1))
    _field(page, "Expected duration (months)").fill("18")
    _field(page, "Review dates").fill("2027-06-01\n2027-12-01")
    _field(page, "Training sessions per week").fill("2")
    arrangements = page.locator("#div_id_arrangements")
    for label in ("Part-time attachment", "Thrombectomy in hours", "Thrombectomy out of hours"):
        box = arrangements.get_by_label(label, exact=True)
        box.scroll_into_view_if_needed()
        box.check()
        expect(box).to_be_checked()

    _field(page, "Backfill and support for the trainee's own service").fill(
        "One IR session a week is backfilled by a locum consultant interventional radiologist."
    )
    _field(page, "Backfill sessions per week (trainee's service)").fill("1")
    _field(page, "Support needed by the supervising centre").fill(
        "The lead supervisor's job plan includes one extra programmed activity for supervision."
    )
    _field(page, "Support sessions per week (supervising centre)").fill("1")
    page.get_by_label(re.compile(r"^\s*Job plans recognise the elective and emergency")).check()
    page.get_by_label(re.compile(r"^\s*This arrangement does not compromise")).check()
    _field(page, "Audit after independence every (months)").fill("12")
    _field(page, "Named governance lead").select_option(label=world.governance_lead.full_name)

    page.screenshot(path=artifacts_dir / "agreement-draft-form.png", full_page=True)
    page.get_by_role("button", name="Save draft").click()

    # The edit page: the criteria copied from the template, each figure editable.
    expect(page).to_have_url(re.compile(r"/agreements/\d+/edit/$"))
    expect(_banner(page, "Draft saved")).to_be_visible()
    agreement = TrainingAgreement.objects.get(trainee=world.trainee)
    # The saved terms come back into the form as they were typed, the start date included.
    for box, typed in zip(_date_boxes(page, "Start date"), ("1", "12", "2026"), strict=True):
        expect(box).to_have_value(typed)
    expect(_field(page, "Review dates")).to_have_value("2027-06-01\n2027-12-01")
    expect(_field(page, "Lead supervisor").locator("option:checked")).to_have_text(
        _with_gmc(world.lead_supervisor)
    )
    first_target = page.locator("#criteria-table input[name='criteria-0-target']")
    expect(first_target).to_have_value(re.compile(r"^20(\.0)?$"))
    first_target.fill(CHANGED_TARGET)
    page.screenshot(path=artifacts_dir / "agreement-edit.png", full_page=True)
    page.get_by_role("button", name="Save and submit for signature").click()

    expect(page).to_have_url(path_is(f"/agreements/{agreement.pk}/"))
    submitted = _banner(page, "Every party has been asked to sign")
    expect(submitted).to_be_visible()
    expect(page.locator(".nhsuk-tag").filter(has_text="Awaiting signatures").first).to_be_visible()
    return agreement


def _open_sign_page_from_home(person, agreement, *, screenshot=None):
    page = person.page
    person.goto("/")
    inbox = (
        page.locator("section")
        .filter(has=page.get_by_role("heading", name="Waiting for your signature"))
        .filter(has=page.locator("#inbox-signatures"))
    )
    item = inbox.locator("li").filter(has_text=agreement.reference)
    expect(item).to_have_count(1)
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    item.get_by_role("link", name="Review and sign").click()
    expect(page).to_have_url(re.compile(r"/sign/"))


def _open_sign_page_from_agreement(person, agreement):
    page = person.page
    person.goto(f"/agreements/{agreement.pk}/")
    page.locator(".signoff-steps").get_by_role("link", name="Review and sign").click()
    expect(page).to_have_url(re.compile(r"/sign/"))


def _approve(person, step_label, *, screenshot=None) -> int:
    """Approve and sign on the sign page; returns how far the page scrolled sideways."""
    page = person.page
    expect(page.get_by_text(re.compile(r"You sign as", re.I))).to_contain_text(
        step_label, ignore_case=True
    )
    page.get_by_label("Approve and sign").check()
    page.get_by_label("Authenticator code").fill(SIGNING_CODE)
    overflow = sideways_overflow(page)
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(_banner(page, "is recorded")).to_be_visible()
    return overflow


def _pdftotext(path: Path, *pages: int) -> str:
    first_last = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    out = subprocess.run(
        ["pdftotext", *first_last, str(path), "-"], capture_output=True, check=True, text=True
    )
    return out.stdout


def _squeezed(text: str) -> str:
    """Text without spaces and hyphens: table cells wrap long phrases onto several lines, and
    pdftotext joins a word broken after a hyphen (TA-2026-, line break, EAD0FE reads
    TA-2026EAD0FE)."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


def _page_count(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    pages = re.search(r"^Pages:\s+(\d+)", out.stdout, re.M)
    assert pages, out.stdout
    return int(pages.group(1))


def _pdf_page_png(path: Path, page_number: int, target: Path):
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "110",
            "-f",
            str(page_number),
            "-l",
            str(page_number),
            "-singlefile",
            str(path),
            str(target.with_suffix("")),
        ],
        check=True,
    )
    assert target.exists() and target.stat().st_size > 10_000, target


def _wait_for_pdf_link(page):
    link = page.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible(timeout=PDF_TIMEOUT_MS)
    return link


def test_an_agreement_is_drafted_signed_by_every_party_and_verified(
    live_server, open_browser, artifacts_dir, pdf_made_in_process
):
    _ensure_default_criteria_template()
    world = build_world()
    people = []

    # The training lead of the centre drafts and submits it.
    lead = open_browser("desktop")
    people.append(lead)
    browser_sign_in(lead, world.training_lead, code=SIGN_IN_CODE)
    agreement = _draft_through_the_form(lead, world, artifacts_dir)
    version = agreement.versions.get()
    assert version.status == VersionStatus.AWAITING_SIGNATURES
    # Awaiting signatures, it cannot end early, so the page does not offer it; and the terms say
    # "1 session a week", not "1 sessions".
    expect(lead.page.get_by_role("link", name="End early")).to_have_count(0)
    terms = lead.page.locator("main")
    expect(terms).to_contain_text("(1 session a week)")
    expect(terms).not_to_contain_text("1 sessions")
    lead.page.screenshot(path=artifacts_dir / "agreement-awaiting-signatures.png", full_page=True)
    assert version.criteria.order_by("position").first().target == int(CHANGED_TARGET)
    request = signoff_requests_for_subject(version).get()
    steps = {s.label: s for s in request.steps.all()}
    expected_labels = [
        "Trainee",
        "Lead supervisor (INR)",
        f"Training lead, {world.centre.name}",
        f"Clinical director, {world.employer_directorate.name}, {world.employer.name}",
        f"Clinical director, {world.centre_directorate.name}, {world.centre.name}",
        f"Medical director, {world.employer.name}",
        f"Medical director, {world.centre.name}",
    ]
    assert sorted(steps) == sorted(expected_labels)

    # Who signs which step, in which browser, reaching the sign page which way. The trainee signs
    # on a phone; the training lead signs in the browser they drafted in.
    signers = [
        ("Trainee", world.trainee, "phone", _open_sign_page_from_home),
        ("Lead supervisor (INR)", world.lead_supervisor, "desktop", _open_sign_page_from_home),
        (expected_labels[2], world.training_lead, lead, _open_sign_page_from_agreement),
        (
            expected_labels[3],
            world.employer_clinical_director,
            "desktop",
            _open_sign_page_from_home,
        ),
        (
            expected_labels[4],
            world.centre_clinical_director,
            "desktop",
            _open_sign_page_from_agreement,
        ),
        (expected_labels[5], world.employer_medical_director, "desktop", _open_sign_page_from_home),
        (expected_labels[6], world.centre_medical_director, "desktop", _open_sign_page_from_home),
    ]
    browsers = {}
    sign_page_overflow = {}
    for label, user, where, open_sign_page in signers:
        if isinstance(where, str):
            person = open_browser(where)
            people.append(person)
            browser_sign_in(person, user, code=SIGN_IN_CODE)
        else:
            person = where
        browsers[label] = person
        open_sign_page(person, agreement)
        if label == "Trainee":
            shot = artifacts_dir / "agreement-sign-page-phone.png"
        elif label == expected_labels[-1]:
            shot = artifacts_dir / "agreement-sign-page.png"
        else:
            shot = None
        sign_page_overflow[label] = _approve(person, label, screenshot=shot)
        # Signing returns to the agreement, where this step now shows as signed, with the name.
        expect(person.page).to_have_url(
            re.compile(rf"/agreements/{agreement.pk}/(versions/\d+/)?$")
        )
        row = person.page.locator(".signoff-steps li").filter(has_text=label).first
        expect(row).to_contain_text(user.full_name)
        expect(row.locator(".nhsuk-tag")).to_have_text("Signed")

    # The last signature made it active and produced the PDF.
    version.refresh_from_db()
    assert version.status == VersionStatus.ACTIVE
    page = browsers[expected_labels[-1]].page
    expect(page.locator(".nhsuk-tag").filter(has_text="Active").first).to_be_visible()

    lead_page = lead.page
    lead.goto(f"/agreements/{agreement.pk}/")
    expect(lead_page.locator(".nhsuk-tag").filter(has_text="Active").first).to_be_visible()
    download_link = _wait_for_pdf_link(lead_page)
    code = lead_page.locator(".document-status .verification-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", code), code
    expect(lead_page.get_by_role("link", name="End early")).to_be_visible()
    lead_page.screenshot(path=artifacts_dir / "agreement-active.png", full_page=True)

    with lead_page.expect_download() as download_info:
        download_link.click()
    pdf_path = artifacts_dir / "agreement-signed.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes()[:5] == b"%PDF-"
    document = GeneratedDocument.objects.get(verification_code=code)
    assert document.status == GeneratedDocument.Status.READY

    text = _pdftotext(pdf_path)
    flat, squeezed = " ".join(text.split()), _squeezed(text)
    assert code in flat
    assert "1 session a week" in flat and "1 sessions" not in flat
    assert "UTC" in flat
    assert agreement.reference in flat
    for label, user, *_ in signers:
        meaning = steps[label].meaning
        assert _squeezed(user.full_name) in squeezed, f"{user.full_name} is not in the PDF"
        assert _squeezed(label) in squeezed, f"the role {label!r} is not in the PDF"
        assert _squeezed(meaning) in squeezed, f"the meaning of {label!r} is not in the PDF"
    pages = _page_count(pdf_path)
    assert pages >= 2, pages
    _pdf_page_png(pdf_path, 1, artifacts_dir / "agreement-page-1.png")
    _pdf_page_png(pdf_path, pages, artifacts_dir / "agreement-signature-page.png")
    # Every page carries the verification code in its footer; the last one holds signatures.
    for number in range(1, pages + 1):
        assert code in _pdftotext(pdf_path, number), f"page {number} has no verification code"
    assert "UTC" in _pdftotext(pdf_path, pages), "the last page holds no signature"

    # The active agreement on a phone, in the trainee's browser.
    phone = browsers["Trainee"]
    phone.goto(f"/agreements/{agreement.pk}/")
    expect(phone.page.locator(".nhsuk-tag").filter(has_text="Active").first).to_be_visible()
    _wait_for_pdf_link(phone.page)
    phone.page.screenshot(path=artifacts_dir / "agreement-active-phone.png", full_page=True)
    detail_overflow = sideways_overflow(phone.page)

    # Anyone can check the code, signed in or not.
    anonymous = open_browser("desktop")
    people.append(anonymous)
    anonymous.goto(f"/verify/{code}/")
    validity = anonymous.page.locator("#validity")
    expect(validity).to_contain_text("Valid.")
    expect(validity).to_contain_text("still in force")
    expect(anonymous.page.get_by_role("main")).to_contain_text(world.trainee.full_name)
    # The downloaded file is the issued one, byte for byte.
    anonymous.page.get_by_label("Check a copy of this document").set_input_files(pdf_path)
    anonymous.page.get_by_role("button", name="Check the file").click()
    expect(anonymous.page.locator("#file-result")).to_contain_text(
        "This file matches the issued document"
    )
    anonymous.page.screenshot(path=artifacts_dir / "agreement-verify.png", full_page=True)

    for person in people:
        person.assert_no_csp_errors()
    assert detail_overflow == 0, f"the agreement page scrolls sideways at 375 px: {detail_overflow}"
    assert not any(sign_page_overflow.values()), f"sign page scrolls sideways: {sign_page_overflow}"


def test_a_clinical_director_declines_and_the_training_lead_sees_why(
    live_server, open_browser, artifacts_dir
):
    _ensure_default_criteria_template()
    world = build_world()
    agreement = draft(world)
    agreement_version_submit(actor=world.training_lead, version=agreement.versions.get())
    director = world.employer_clinical_director

    cd = open_browser("desktop")
    browser_sign_in(cd, director, code=SIGN_IN_CODE)
    _open_sign_page_from_home(
        cd, agreement, screenshot=artifacts_dir / "agreement-inbox-clinical-director.png"
    )
    page = cd.page
    page.get_by_label("Decline and return to the author").check()
    page.get_by_label("Reason for declining").fill(DECLINE_REASON)
    page.get_by_label("Authenticator code").fill(SIGNING_CODE)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/agreements/{agreement.pk}/(versions/\d+/)?$"))
    expect(_banner(page, "You declined")).to_be_visible()
    declined = page.locator(".signoff-steps li").filter(has_text="Clinical director, Clinical")
    expect(declined.locator(".nhsuk-tag")).to_have_text("Declined")
    expect(declined).to_contain_text(DECLINE_REASON)
    page.screenshot(path=artifacts_dir / "agreement-declined-by-director.png", full_page=True)

    lead = open_browser("desktop")
    browser_sign_in(lead, world.training_lead, code=SIGN_IN_CODE)
    lead.goto(f"/agreements/{agreement.pk}/")
    returned = lead.page.locator("#returned-reason")
    expect(returned).to_contain_text("Returned for changes")
    expect(returned).to_contain_text(DECLINE_REASON)
    expect(returned).to_contain_text(director.full_name)  # who sent it back
    expect(lead.page.get_by_role("link", name="Edit and submit")).to_be_visible()
    lead.page.screenshot(path=artifacts_dir / "agreement-returned.png", full_page=True)
    version = agreement.versions.get()
    assert version.status == VersionStatus.DRAFT
    # The page shows the reason from the signature; the note on the version is the app's words.
    assert DECLINE_REASON not in version.returned_reason

    cd.assert_no_csp_errors()
    lead.assert_no_csp_errors()
