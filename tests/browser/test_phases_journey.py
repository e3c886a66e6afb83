"""Acceptance: from phase 1 to a signed, verifiable completion certificate, in the browser.

An active agreement with small criteria (the same as tests/phases/conftest.py's ``small_world``,
built here because a live-server test runs on a transactional database) and verified evidence
that meets phase 1. The trainee, on a phone, sees every criterion met and requests the move to
phase 2; the lead supervisor approves it from their inbox with a backup code. Phase 2 is then met
through the services, the lead supervisor requests independence on the progress page, and each
party of the ordered chain signs in their own browser from their home inbox ("Waiting for your
signature"); nobody sees the request in their inbox before their turn. The trainee downloads the
certificate, which is read with pdftotext, drawn with pdftoppm and checked on /verify/.

Screenshots in test-artifacts/: progress-phase1.png, progress-phase1-phone.png,
progress-request-waiting-phone.png, progress-independence-waiting.png, signoff-independence.png,
progress-phase3.png, certificate-page-1.png,
certificate-signature-page.png (and certificate.pdf).
"""

import re

from playwright.sync_api import expect

from documents.models import GeneratedDocument
from phases.models import ProgressionRequest
from signoffs.selectors import signoff_requests_for_subject

from ..factories import unused_backup_code
from ..phases.conftest import (
    TINY_CRITERIA,
    add_case,
    meet_phase_one,
    meet_phase_two,
    phase_of,
    small_world_build,
)
from .conftest import browser_sign_in, path_is, sideways_overflow
from .test_agreement_journey import (
    _page_count,
    _pdf_page_png,
    _pdftotext,
    _squeezed,
)

PDF_TIMEOUT_MS = 60_000


def _inbox_items(person, text):
    """The items of the home inbox "Waiting for your signature" that mention `text`."""
    page = person.page
    person.goto("/")
    inbox = (
        page.locator("section")
        .filter(has=page.get_by_role("heading", name="Waiting for your signature"))
        .filter(has=page.locator("#inbox-signatures"))
    )
    expect(inbox).to_have_count(1)
    return inbox.locator("li").filter(has_text=text)


def _sign_from_inbox(person, user, text, label, *, screenshot=None):
    """From the home inbox to the sign page; approve with a fresh backup code."""
    page = person.page
    item = _inbox_items(person, text)
    expect(item).to_have_count(1)
    item.get_by_role("link", name="Review and sign").click()
    expect(page).to_have_url(re.compile(r"/signoffs/steps/\d+/sign/$"))
    expect(page.get_by_text(re.compile(r"You sign as"))).to_contain_text(label)
    page.get_by_label("Approve and sign").check()
    page.get_by_label("Authenticator code").fill(unused_backup_code(user))
    overflow = sideways_overflow(page)
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(
        page.locator(".nhsuk-notification-banner").filter(has_text="is recorded")
    ).to_be_visible()
    return overflow


def _criteria_rows(page):
    return page.locator("#progress-table > li")


def _expect_every_criterion_met(page, count):
    rows = _criteria_rows(page)
    expect(rows).to_have_count(count)
    for i in range(count):
        expect(rows.nth(i).locator(".nhsuk-tag")).to_have_text(re.compile(r"Met"))
    expect(page.locator(".nhsuk-tag").filter(has_text="Every criterion met")).to_be_visible()


def test_phase_one_to_a_verified_completion_certificate(live_server, open_browser, artifacts_dir):
    world = small_world_build()
    meet_phase_one(world)
    agreement, trainee, lead = world.agreement, world.trainee, world.lead_supervisor
    progress_path = f"/progress/{agreement.pk}/"
    phase_one = [c for c in TINY_CRITERIA if c["phase"] == 1]
    phase_two = [c for c in TINY_CRITERIA if c["phase"] == 2]
    people = []

    # The trainee, at a desk: from the agreement to the progress page, every criterion met.
    desk = open_browser("desktop")
    people.append(desk)
    browser_sign_in(desk, trainee)
    desk.goto(f"/agreements/{agreement.pk}/")
    desk.page.get_by_role("link", name="Progress and phases").click()
    expect(desk.page).to_have_url(path_is(progress_path))
    expect(desk.page.get_by_role("heading", name=f"{trainee.full_name}: progress")).to_be_visible()
    expect(desk.page.get_by_text("Now in")).to_contain_text("Phase 1 (direct supervision)")
    _expect_every_criterion_met(desk.page, len(phase_one))
    for row, criterion in zip(_criteria_rows(desk.page).all(), phase_one, strict=False):
        expect(row).to_contain_text(criterion["description"])
    desk.page.screenshot(path=artifacts_dir / "progress-phase1.png", full_page=True)

    # On a phone, the trainee requests the move to phase 2.
    phone = open_browser("phone")
    people.append(phone)
    browser_sign_in(phone, trainee)
    phone.goto(progress_path)
    _expect_every_criterion_met(phone.page, len(phase_one))
    request_button = phone.page.get_by_role("button", name="Request the move to phase 2")
    expect(request_button).to_be_visible()
    phone.page.screenshot(path=artifacts_dir / "progress-phase1-phone.png", full_page=True)
    phase_one_overflow = sideways_overflow(phone.page)
    request_button.click()
    expect(
        phone.page.locator(".nhsuk-notification-banner").filter(has_text="Requested.")
    ).to_be_visible()
    advance = ProgressionRequest.objects.get(agreement=agreement)
    assert advance.kind == ProgressionRequest.Kind.ADVANCE and advance.requested_by == trainee
    card = phone.page.locator(".progression-request").first
    expect(card).to_contain_text("Move to the next phase")
    expect(card.locator(".request-status")).to_have_text("Awaiting signatures")
    expect(card.locator(".signoff-steps li")).to_contain_text("Lead supervisor (INR)")
    # While it waits, the page says so and offers no second request (issue 13, item 7).
    expect(phone.page.get_by_role("button", name="Request the move to phase 2")).to_have_count(0)
    waiting = phone.page.locator("#request-next")
    expect(waiting).to_contain_text("A request is waiting for signatures: move to the next phase")
    waiting.scroll_into_view_if_needed()
    phone.page.screenshot(path=artifacts_dir / "progress-request-waiting-phone.png", full_page=True)

    # The lead supervisor approves from their inbox, with a fresh backup code.
    lead_browser = open_browser("desktop")
    people.append(lead_browser)
    browser_sign_in(lead_browser, lead)
    _sign_from_inbox(lead_browser, lead, "Move to the next phase", "Lead supervisor (INR)")
    expect(lead_browser.page).to_have_url(path_is(progress_path))
    now_in = lead_browser.page.get_by_text("Now in")
    expect(now_in).to_contain_text("Phase 2 (indirect supervision)")
    assert phase_of(world).phase == 2

    # Phase 2 evidence arrives (verified cases from both INRs, the competency from both); the lead
    # supervisor requests independence on the progress page.
    meet_phase_two(world)
    lead_browser.goto(progress_path)
    _expect_every_criterion_met(lead_browser.page, len(phase_two))
    lead_browser.page.get_by_role("button", name="Request independence").click()
    expect(
        lead_browser.page.locator(".nhsuk-notification-banner").filter(has_text="Requested.")
    ).to_be_visible()
    expect(lead_browser.page.get_by_role("button", name="Request independence")).to_have_count(0)
    expect(lead_browser.page.locator("#request-next")).to_contain_text(
        "A request is waiting for signatures: independence (phase 2 to 3)"
    )
    lead_browser.page.screenshot(
        path=artifacts_dir / "progress-independence-waiting.png", full_page=True
    )
    independence = ProgressionRequest.objects.get(agreement=agreement, status="open")
    assert independence.kind == ProgressionRequest.Kind.INDEPENDENCE
    signoff = signoff_requests_for_subject(independence).get()
    steps = list(signoff.steps.order_by("position"))

    # The ordered chain, each party in their own browser.
    chain = [
        ("Lead supervisor (INR): recommends", lead, lead_browser),
        (f"Second INR, {world.centre.name}: concurs", world.second_supervisor, None),
        (f"Training lead, {world.centre.name}", world.training_lead, None),
        (
            f"Clinical director, {world.employer_directorate.name}, {world.employer.name}",
            world.employer_clinical_director,
            None,
        ),
        (
            f"Medical director, {world.centre.name} (principal training hospital)",
            world.centre_medical_director,
            None,
        ),
        ("Governance lead: acknowledges", world.governance_lead, None),
    ]
    assert [s.label for s in steps] == [label for label, *_ in chain]
    browsers = {}
    for label, user, browser in chain:
        if browser is None:
            browser = open_browser("desktop")
            people.append(browser)
            browser_sign_in(browser, user)
        browsers[label] = browser
    # Nobody after the lead supervisor sees it in their inbox before their turn.
    for label, _user, _ in chain[1:]:
        expect(_inbox_items(browsers[label], "Independence")).to_have_count(0)

    overflow = {}
    for position, (label, user, _) in enumerate(chain):
        browser = browsers[label]
        shot = artifacts_dir / "signoff-independence.png" if "Medical director" in label else None
        overflow[label] = _sign_from_inbox(browser, user, "Independence", label, screenshot=shot)
        expect(browser.page).to_have_url(path_is(progress_path))
        card = browser.page.locator(".progression-request").first
        row = card.locator(".signoff-steps li").nth(position)
        expect(row).to_contain_text(user.full_name)
        expect(row.locator(".nhsuk-tag")).to_have_text("Signed")
        # The next party now sees it; the one after does not yet.
        if position + 2 < len(chain):
            expect(_inbox_items(browsers[chain[position + 2][0]], "Independence")).to_have_count(0)
        if position + 1 < len(chain):
            expect(_inbox_items(browsers[chain[position + 1][0]], "Independence")).to_have_count(1)

    independence.refresh_from_db()
    assert independence.status == ProgressionRequest.Status.APPROVED
    assert phase_of(world).phase == 3

    # The trainee, at a desk: independent practice, and the certificate to download.
    desk.goto(progress_path)
    page = desk.page
    expect(page.get_by_text("Now in")).to_contain_text("Phase 3 (independent practice)")
    expect(page.get_by_role("status").filter(has_text="Independent practice")).to_be_visible()
    card = page.locator(".progression-request").filter(has_text="Independence (phase 2 to 3)")
    expect(card.locator(".request-status")).to_have_text("Approved")
    signed = card.locator(".signoff-steps .nhsuk-tag").filter(has_text="Signed")
    expect(signed).to_have_count(len(chain))
    history = page.locator("#phase-history li")
    expect(history).to_have_count(3)
    link = card.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible(timeout=PDF_TIMEOUT_MS)
    code = card.locator(".document-status .verification-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", code), code
    page.screenshot(path=artifacts_dir / "progress-phase3.png", full_page=True)
    with page.expect_download() as download_info:
        link.click()
    pdf_path = artifacts_dir / "certificate.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes()[:5] == b"%PDF-"
    document = GeneratedDocument.objects.get(verification_code=code)
    assert document.kind == "completion_certificate" and document.subject_id == independence.pk

    # What the certificate says.
    text = _pdftotext(pdf_path)
    flat, squeezed = " ".join(text.split()), _squeezed(text)
    for fact in (
        trainee.full_name,
        trainee.gmc_number,
        world.employer.name,
        world.centre.name,
        agreement.reference,
        code,
    ):
        assert _squeezed(fact) in squeezed, f"{fact!r} is not on the certificate"
    for record in agreement.phase_records.all():
        assert f"{record.started_on:%-d %b %Y}" in flat, f"{record} start is not on the certificate"
        if record.ended_on:
            assert f"{record.ended_on:%-d %b %Y}" in flat, f"{record} end is not on the certificate"
    for item in independence.snapshot["criteria"]:
        for words in (item["description"], item["required"], item["current"]):
            assert _squeezed(words) in squeezed, f"{words!r} (criteria) is not on the certificate"
    for label, user, _ in chain:
        assert _squeezed(user.full_name) in squeezed, f"{user.full_name} is not on the certificate"
        assert _squeezed(label) in squeezed, f"the role {label!r} is not on the certificate"
    for step in steps:
        assert _squeezed(step.meaning) in squeezed, f"{step.meaning!r} is not on the certificate"
    assert signoff.digest in squeezed
    pages = _page_count(pdf_path)
    for number in range(1, pages + 1):
        assert code in _pdftotext(pdf_path, number), f"page {number} has no verification code"
    assert _squeezed(world.governance_lead.full_name) in _squeezed(_pdftotext(pdf_path, pages))
    _pdf_page_png(pdf_path, 1, artifacts_dir / "certificate-page-1.png")
    _pdf_page_png(pdf_path, pages, artifacts_dir / "certificate-signature-page.png")

    # Anyone can check it.
    anonymous = open_browser("desktop")
    people.append(anonymous)
    anonymous.goto(f"/verify/{code}/")
    validity = anonymous.page.locator("#validity")
    expect(validity).to_contain_text("Valid.")
    main = anonymous.page.get_by_role("main")
    expect(main).to_contain_text(trainee.full_name)
    expect(main).to_contain_text("Completion certificate")
    anonymous.page.get_by_label("Check a copy of this document").set_input_files(pdf_path)
    anonymous.page.get_by_role("button", name="Check the file").click()
    expect(anonymous.page.locator("#file-result")).to_contain_text(
        "This file matches the issued document"
    )

    for person in people:
        person.assert_no_csp_errors()
    assert phase_one_overflow == 0, (
        f"the progress page scrolls sideways at 375 px: {phase_one_overflow}"
    )
    assert not any(overflow.values()), f"sign pages scroll sideways: {overflow}"


def test_the_learning_curve_criterion_after_early_trouble_on_a_phone(
    live_server, open_browser, artifacts_dir
):
    """Issue 13, items 12 and 22: four failures cross the upper limit at case 4, the curve
    restarts and twelve successes cross the lower one at case 16, so the criterion is met again.
    The progress page says so on a phone without scrolling sideways, and the agreement's terms
    say what the criterion requires."""
    world = small_world_build(
        criteria=[
            dict(
                phase=1,
                kind="learning_curve",
                target=0,
                parameters={"p0": 0.15, "p1": 0.30, "alpha": 0.1, "beta": 0.1},
                description="Learning curve (CUSUM) crosses the acceptable-performance limit",
                source="Rogers et al. 2004",
            )
        ]
    )
    agreement = world.agreement
    for index in range(16):
        add_case(world, final_etici="1" if index < 4 else "3", passes=2, days_ago=40 - index)

    phone = open_browser("phone")
    browser_sign_in(phone, world.trainee)
    phone.goto(f"/progress/{agreement.pk}/")
    row = _criteria_rows(phone.page).first
    expect(row).to_contain_text("crossed the lower limit at case 16 of 16 cases")
    expect(row).to_contain_text("crosses the lower limit (-2.48)")
    expect(row.locator(".nhsuk-tag")).to_have_text(re.compile("Met"))
    badge = row.locator(".nhsuk-tag").bounding_box()
    assert badge["x"] + badge["width"] <= 375, "the Status column is cut off at 375 px"
    assert sideways_overflow(phone.page) == 0
    phone.page.screenshot(path=artifacts_dir / "progress-learning-curve-phone.png", full_page=True)

    phone.goto(f"/agreements/{agreement.pk}/")
    expect(phone.page.get_by_text("Acceptable curve (crosses the lower limit)")).to_be_visible()
    phone.page.get_by_text(
        "Acceptable curve (crosses the lower limit)"
    ).scroll_into_view_if_needed()
    phone.page.screenshot(path=artifacts_dir / "agreement-curve-required-phone.png")
    phone.assert_no_csp_errors()
