"""Keyboard-only journeys (issue 14, part 3): log a case, correct a queried one, verify one, sign
with the second factor, ask for an audit report, with Tab, Shift+Tab, Enter, Space, the arrow
keys and typing, and no clicks.

At every stop of the focus: the focused element is in the viewport and not covered by anything
(WCAG 2.4.11: elementFromPoint at its centre is it, inside it or its label), it shows a focus
indicator (an outline, a box shadow or the NHS yellow), and a target it is (a button, a form
control, a link that is not in a sentence) is at least 24 by 24 CSS px (2.5.8). Each page of the
journeys then reflows at 320 CSS px with no sideways scrolling (1.4.10) and stays usable with the
text at 200% (1.4.4: the page at 1280 px zoomed to 200%, a 640 px viewport), its targets still 24
px or more.

Pages are found by roles and visible words, so the tests outlive a change of markup.
"""

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from accounts.models import Role
from accounts.services import backup_codes_set
from agreements.services import agreement_version_submit
from caselogs.models import Case
from governance.models import AuditReport

from ..agreements.conftest import draft, signer_for
from ..factories import TEST_BACKUP_CODES, make_member, unused_backup_code
from .conftest import browser_sign_in, path_is, sideways_overflow
from .logbook_world import lived_in_world

# What the focused element (or the label standing for a hidden radio or checkbox) looks like.
FOCUS_PROBLEMS = """() => {
    const el = document.activeElement;
    // Tab past the last element leaves the document: the next Tab comes back to the top.
    if (!el || el === document.body) return {where: 'body', problems: []};
    const problems = [];
    const name = (el.id ? '#' + el.id : el.tagName.toLowerCase()) + ' "' +
        (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40) + '"';
    // A visually hidden input (NHS radios and checkboxes) is shown by its label.
    const label = el.labels && el.labels.length ? el.labels[0] : null;
    let shown = el;
    const own = el.getBoundingClientRect();
    if ((own.width < 2 || own.height < 2 || getComputedStyle(el).opacity === '0') && label) {
        shown = label;
    }
    const r = shown.getBoundingClientRect();
    const vw = document.documentElement.clientWidth, vh = window.innerHeight;
    if (r.bottom <= 0 || r.top >= vh || r.right <= 0 || r.left >= vw ||
        r.top < -1 || r.bottom > vh + 1) {
        const span = `${Math.round(r.top)}..${Math.round(r.bottom)} of ${vh}`;
        problems.push(`not wholly in the viewport (${span})`);
    } else {
        const x = Math.min(Math.max(r.left + r.width / 2, 0), vw - 1);
        const y = Math.min(Math.max(r.top + r.height / 2, 0), vh - 1);
        const hit = document.elementFromPoint(x, y);
        const mine = hit && (hit === el || el.contains(hit) || hit === label ||
            (label && label.contains(hit)) || hit.contains(el));
        if (!mine) {
            const what = hit ? hit.tagName.toLowerCase() +
                (hit.className ? '.' + String(hit.className).split(' ').join('.') : '') : 'nothing';
            problems.push('covered by ' + what);
        }
    }
    // A focus indicator: an outline, a box shadow, or the NHS focus yellow behind it.
    const styles = [getComputedStyle(el)];
    if (label) {
        styles.push(getComputedStyle(label, '::before'), getComputedStyle(label, '::after'));
    }
    // NHS details show the focus on the summary's text, inside the summary.
    for (const inner of [...el.querySelectorAll('*')].slice(0, 3)) {
        styles.push(getComputedStyle(inner));
    }
    const indicated = styles.some(s =>
        (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) ||
        (s.boxShadow && s.boxShadow !== 'none') ||
        s.backgroundColor === 'rgb(255, 235, 59)');
    if (!indicated) problems.push('no visible focus indicator');
    // Target size (2.5.8), except links inside a sentence.
    const inline = el.tagName === 'A' && getComputedStyle(el).display === 'inline' &&
        el.closest('p, li, dd, td, .nhsuk-body, .nhsuk-hint');
    if (!inline && (r.width < 24 - 0.5 || r.height < 24 - 0.5)) {
        problems.push(`target ${Math.round(r.width)}x${Math.round(r.height)} px, under 24x24`);
    }
    return {where: name, problems};
}"""

# Every visible target of a page under 24 x 24 px (2.5.8), links inside sentences excepted.
SMALL_TARGETS = """() => [...document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter(el => {
        const label = el.labels && el.labels.length ? el.labels[0] : null;
        let r = el.getBoundingClientRect();
        if ((r.width < 2 || r.height < 2 || getComputedStyle(el).opacity === '0') && label) {
            r = label.getBoundingClientRect();
        }
        // Not shown, or visually hidden until focused (the skip link).
        if (r.width <= 1 || r.height <= 1) return false;
        if (getComputedStyle(el).visibility === 'hidden') return false;
        const inline = el.tagName === 'A' && getComputedStyle(el).display === 'inline' &&
            el.closest('p, li, dd, td, .nhsuk-body, .nhsuk-hint');
        return !inline && (r.width < 23.5 || r.height < 23.5);
    })
    .map(el => (el.id ? '#' + el.id : el.tagName.toLowerCase()) + ' "' +
         (el.innerText || el.value || '').trim().slice(0, 30) + '"')"""

pytestmark = pytest.mark.timeout(600)


class Keys:
    """The keyboard, with a check of every place the focus stops."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.pages: list[str] = []  # every page the journey passed through, for reflow and zoom

    def check(self) -> None:
        found = self.page.evaluate(FOCUS_PROBLEMS)
        for problem in found["problems"]:
            entry = f"{self.page.url} {found['where']}: {problem}"
            if entry not in self.problems:
                self.problems.append(entry)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.check()

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def tab_to(self, target: Locator, *, backwards: bool = False, limit: int = 200) -> None:
        """Tab (or Shift+Tab) until the target has the focus, checking each stop on the way
        (past the page's end the focus leaves the document, then comes back to its top)."""
        target.wait_for(state="attached")
        for _ in range(limit):
            if target.evaluate("el => el === document.activeElement"):
                return
            self.press("Shift+Tab" if backwards else "Tab")
        raise AssertionError(f"{limit} presses of Tab never reached {target} on {self.page.url}")

    def follow(self, target: Locator, *, key: str = "Enter") -> None:
        """Tab to a link or button and press Enter (or Space): a new page loads."""
        self.tab_to(target)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.arrived()

    def arrived(self) -> None:
        self.page.wait_for_load_state("load")
        if self.page.url not in self.pages:
            self.pages.append(self.page.url)

    def choose(self, group: Locator, option: str) -> None:
        """Into a radio group, then the arrow keys until `option` (its label) is chosen."""
        radios = group.get_by_role("radio")
        self.tab_to(
            radios.first
            if not radios.locator(":checked").count()
            else group.locator("input[type=radio]:checked")
        )
        wanted = group.get_by_label(option, exact=True)
        if not wanted.is_checked():
            # Tab lands on the first radio of a group with none chosen: Space chooses it.
            self.press("Space")
        for _ in range(radios.count()):
            if wanted.is_checked():
                return
            self.press("ArrowDown")
        assert wanted.is_checked(), f"the arrow keys never chose {option!r}"


def _journey_start(person: Any, path: str) -> Keys:
    person.goto(path)
    keys = Keys(person.page)
    keys.arrived()
    return keys


def _main(page: Page) -> Locator:
    return page.locator("main")


def _reflows_and_zooms(person: Any, pages: list[str]) -> list[str]:
    """Each page at 320 CSS px (1.4.10) and at 200% zoom of a 1280 px screen (1.4.4)."""
    page = person.page
    problems = []
    for width, height, what in ((320, 640, "320 px"), (640, 450, "200% text")):
        page.set_viewport_size({"width": width, "height": height})
        for url in pages:
            page.goto(url)
            overflow = sideways_overflow(page)
            if overflow > 0:
                problems.append(f"{url} at {what}: scrolls {overflow} px sideways")
            small = page.evaluate(SMALL_TARGETS)
            if small:
                problems.append(f"{url} at {what}: targets under 24 px: {small[:5]}")
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def _assert_clean(keys: Keys, person: Any) -> None:
    reflow = _reflows_and_zooms(person, keys.pages)
    assert not keys.problems + reflow, "keyboard journey:\n" + "\n".join(keys.problems + reflow)


# The journeys ------------------------------------------------------------------------------------


def test_log_a_case_and_correct_a_queried_one_by_keyboard(
    live_server: Any, open_browser: Any
) -> None:
    world = lived_in_world()
    person = open_browser("desktop")
    browser_sign_in(person, world.trainee)
    page = person.page
    keys = _journey_start(person, "/")
    main = _main(page)

    # Home, then the logbook through the main navigation, then the form.
    keys.follow(
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Logbook")
    )
    keys.follow(main.get_by_role("link", name="Log a case"))
    expect(page.get_by_role("heading", name="Log a case", level=1)).to_be_visible()

    # Sent empty first: the error summary takes the focus and links each field.
    keys.tab_to(main.get_by_role("button", name="Log case"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.arrived()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    keys.check()

    yesterday = timezone.localdate() - timedelta(days=1)
    date = main.get_by_role("group", name=re.compile("^Date"))
    for part, value in (
        ("Day", yesterday.day),
        ("Month", yesterday.month),
        ("Year", yesterday.year),
    ):
        keys.tab_to(date.get_by_label(part))
        page.keyboard.press("Control+a")
        keys.type(str(value))
    keys.tab_to(main.get_by_label(re.compile("^Your case reference")))
    page.keyboard.press("Control+a")
    keys.type("MT-2026-KB1")
    keys.tab_to(main.get_by_label("Site", exact=True))
    keys.type("Southbank")
    keys.choose(main.get_by_role("group", name=re.compile("^Procedure")), "Mechanical thrombectomy")
    keys.choose(main.get_by_role("group", name=re.compile("^Your role")), "Primary operator")
    keys.tab_to(main.get_by_label("Supervisor", exact=True))
    keys.type("Dr Lead")
    keys.choose(
        main.get_by_role("group", name=re.compile("^Supervision mode")), "Supervisor scrubbed"
    )
    keys.tab_to(main.get_by_label(re.compile("^Final eTICI")))
    keys.type("2c")
    keys.tab_to(main.get_by_label(re.compile("^Number of passes")))
    keys.type("1")
    keys.tab_to(main.get_by_role("button", name="Log case"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.arrived()
    case = Case.objects.get(trainee=world.trainee, reference="MT-2026-KB1")
    expect(page).to_have_url(path_is(f"/logbook/{case.pk}/"))

    # The queried case: from the logbook, its page, then its correction.
    queried = Case.objects.get(trainee=world.trainee, status="queried")
    keys.follow(
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Logbook")
    )
    keys.follow(_main(page).get_by_role("link", name=queried.reference))
    keys.follow(_main(page).get_by_role("link", name=re.compile("^(Correct|Edit)")))
    passes = _main(page).get_by_label(re.compile("^Number of passes"))
    keys.tab_to(passes)
    page.keyboard.press("Control+a")
    keys.type("5")
    keys.tab_to(_main(page).get_by_role("button", name=re.compile("^(Save|Send|Resubmit|Log)")))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.arrived()
    queried.refresh_from_db()
    assert queried.passes == 5 and queried.status == "submitted", (queried.passes, queried.status)
    _assert_clean(keys, person)


def test_verify_a_case_by_keyboard(live_server: Any, open_browser: Any) -> None:
    world = lived_in_world()
    person = open_browser("desktop")
    browser_sign_in(person, world.lead_supervisor)
    page = person.page
    keys = _journey_start(person, "/logbook/queue/")
    waiting = (
        Case.objects.filter(supervisor=world.lead_supervisor, status="submitted")
        .order_by("performed_on")
        .first()
    )
    assert waiting is not None
    keys.follow(_main(page).get_by_role("link", name=waiting.reference).first)
    keys.follow(_main(page).get_by_role("link", name="Verify or query"))
    main = _main(page)
    keys.choose(
        main.get_by_role("group", name=re.compile("role, as you saw it")), "Primary operator"
    )
    keys.choose(
        main.get_by_role("group", name=re.compile("supervision, as it was")), "Supervisor scrubbed"
    )
    keys.choose(
        main.get_by_role("group", name=re.compile("Decision")), "Verify: this case is accurate"
    )
    keys.tab_to(main.get_by_role("button", name="Record decision"))
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    keys.arrived()
    expect(page.get_by_text(re.compile("verified", re.I)).first).to_be_visible()
    waiting.refresh_from_db()
    assert waiting.status == "verified", waiting.status
    _assert_clean(keys, person)


def test_sign_with_the_second_factor_by_keyboard(live_server: Any, open_browser: Any) -> None:
    world = lived_in_world()
    newcomer = make_member(
        Role.TRAINEE,
        world.employer,
        directorate=world.employer_directorate,
        full_name="Dr Keyboard Trainee",
    )
    backup_codes_set(actor=None, user=newcomer, codes=TEST_BACKUP_CODES)
    theirs = replace(world, trainee=newcomer)
    version = draft(theirs).versions.order_by("-number").first()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    step = request.steps.order_by("position").first()
    assert step is not None
    signer = signer_for(theirs, step)
    person = open_browser("desktop")
    browser_sign_in(person, signer)
    page = person.page
    keys = _journey_start(person, f"/signoffs/steps/{step.pk}/sign/")
    main = _main(page)
    keys.choose(main.get_by_role("group", name=re.compile("Your decision")), "Approve and sign")
    keys.tab_to(main.get_by_label("Authenticator code"))
    keys.type(unused_backup_code(signer))
    keys.tab_to(main.get_by_role("button", name="Sign"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.arrived()
    step.refresh_from_db()
    assert step.status != "pending", step.status
    _assert_clean(keys, person)


def test_request_an_audit_report_by_keyboard(live_server: Any, open_browser: Any) -> None:
    world = lived_in_world()
    person = open_browser("desktop")
    browser_sign_in(person, world.governance_lead)
    page = person.page
    keys = _journey_start(person, "/")
    keys.follow(
        page.get_by_role("navigation", name="Main navigation").get_by_role(
            "link", name="Governance"
        )
    )
    keys.follow(_main(page).get_by_role("link", name=re.compile("report", re.I)).first)
    main = _main(page)
    today = timezone.localdate()
    for legend, value in (("Period start", today - timedelta(days=365)), ("Period end", today)):
        group = main.get_by_role("group", name=re.compile("^" + legend))
        for part, number in (("Day", value.day), ("Month", value.month), ("Year", value.year)):
            keys.tab_to(group.get_by_label(part))
            page.keyboard.press("Control+a")
            keys.type(str(number))
    keys.tab_to(main.get_by_role("button", name="Produce report"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.arrived()
    assert AuditReport.objects.filter(requested_by=world.governance_lead).exists()
    _assert_clean(keys, person)


def test_the_focus_checks_see_what_they_look_for(browser: Any) -> None:
    """The checks are not vacuous: a field under a sticky bar, a control without a focus style
    and a small button are each reported, and a page wider than 320 px is seen to scroll."""
    page = browser.new_page(viewport={"width": 320, "height": 400})
    page.set_content(
        """<style>
             .bar { position: fixed; bottom: 0; left: 0; right: 0; height: 120px;
                    background: #fff; }
             #bare:focus { outline: none; box-shadow: none; }
             #small { width: 16px; height: 16px; padding: 0; }
             #wide { width: 600px; }
           </style>
           <div style="height: 270px"></div>
           <input id="hidden-under-bar" aria-label="hidden">
           <div style="height: 400px"></div>
           <input id="bare" aria-label="bare" style="outline: none">
           <button id="small" aria-label="small" style="outline: 3px solid">x</button>
           <div id="wide">wide</div>
           <div class="bar">sticky</div>"""
    )
    keys = Keys(page)
    keys.tab_to(page.locator("#hidden-under-bar"))
    keys.tab_to(page.locator("#bare"))
    keys.tab_to(page.locator("#small"))
    found = "\n".join(keys.problems)
    assert "#hidden-under-bar" in found and "covered by div.bar" in found, found
    assert '#bare "bare": no visible focus indicator' in found, found
    assert "target 16x16 px, under 24x24" in found, found
    assert sideways_overflow(page) > 0
    assert any("#small" in target for target in page.evaluate(SMALL_TARGETS))
    page.close()
