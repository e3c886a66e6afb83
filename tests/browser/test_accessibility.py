"""axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) over every page, for every role that may see
it, at 1280 and 375 CSS px, with each form's error state: 0 violations of any impact (issue 14).
Each page also reflows at 320 CSS px (no sideways scrolling) and links the accessibility
statement from its footer.

The page list is built from the URL conf and the access table (tests/security/access_table.py):
every named URL that a role may GET (200 for its own object) is a page state for that role, and
anonymous visitors get the public ones. States the table cannot reach (the sign page of a step
still waiting, a draft's edit page, a form sent with mistakes, the second-factor page) are listed
in EXTRA and ERROR_STATES. A URL that is not a page a person reads (JSON, a PDF, an image, a CSV,
a POST-only action) is in NOT_PAGES with the reason. test_every_url_has_an_axe_state fails when a
new URL name is none of these.

An exception to "0 violations" needs a line in EXCEPTIONS with its written reason.

One browser; one signed-in context per person, reused across pages and both widths. Set
AXE_REPORT=path.json to keep every state's result (the accessibility helper's findings list).
"""

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]  # no type hints shipped
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from playwright.sync_api import Page

from accounts.models import Role
from accounts.services import backup_codes_set
from agreements.services import agreement_version_submit

from ..agreements.conftest import draft, signer_for
from ..factories import TEST_BACKUP_CODES, TEST_PASSWORD, make_member
from ..security import test_access_matrix as matrix_tests
from ..security.access_table import TABLE
from ..security.matrix_world import ROLES, MatrixWorld, build_matrix_world
from .conftest import fill_date, sideways_overflow

# CI runs this file in its SQLite pass, beside the full pass (.ci/run, pyproject's markers).
pytestmark = pytest.mark.axe

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 375)
HEIGHT = {1280: 900, 375: 812}

# Named URLs that are not pages a person reads: no HTML for axe to check.
NOT_PAGES = {
    "health": "JSON for the load balancer's health check",
    "favicon": "a redirect to the SVG icon",
    "accounts:logout": "POST only: signs out and redirects to the sign-in page (checked)",
    "accounts:backup_codes_new": "POST only: it shows the backup codes page, checked as "
    "'backup codes shown'",
    "agreements:amend": "POST only: starts an amendment and redirects to its edit page",
    "caselogs:activity_decide": "POST only: confirms or rejects an activity, then redirects",
    "caselogs:import_template": "a CSV file to fill in",
    "phases:request": "POST only: asks for progression, then redirects to the progress page",
    "phases:competency": "POST only: signs a competency, then redirects to the progress page",
    "phases:annual_review": "POST only: opens the annual review, then redirects",
    "documents:download": "a PDF (its structure: the tagged-PDF test of issue 14)",
    "documents:credential_download": "a JSON credential file",
    "documents:credential_issuer": "JSON: the issuer's public profile",
    "documents:credential_status_list": "JSON: the issuer's status list",
    "documents:jwks": "JSON: the public keys",
    "documents:status": "an htmx fragment swapped into the agreement page, checked there",
    "governance:export_download": "a CSV download",
    "reconciliation:not_logged_log": "a redirect to the case form, filled in from the procedure "
    "list's entry (the case form is checked)",
    "reconciliation:not_logged_not_involved": "POST only: answers 'not involved', then redirects "
    "to the list of entries not logged (checked)",
    "governance:learning_curve_svg": "an SVG chart, shown as an image with alternative text on "
    "the learning-curve page (checked there)",
    "governance:report_chart": "an SVG chart, shown as an image with alternative text on the "
    "report page (checked there)",
}

# The NHS.UK error summary, or Django admin's note above a form with mistakes.
ERROR_SUMMARY = ".nhsuk-error-summary, .errornote"

# The elements that reach past the right edge of the viewport, each outside any scroll box, the
# innermost first: what makes a page scroll sideways.
STICKING_OUT = """() => {
    const width = document.documentElement.clientWidth;
    const clipped = el => {
        for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
            if (getComputedStyle(box).overflowX !== 'visible') return true;
        }
        return false;
    };
    const past = el => el.getBoundingClientRect().right > width + 0.5 ||
        parseFloat(getComputedStyle(el).marginRight) < 0;
    const out = [...document.body.querySelectorAll('*')].filter(el =>
        el.getBoundingClientRect().right > width + 0.5 && !clipped(el) &&
        ![...el.children].some(child => child.getBoundingClientRect().right > width + 0.5));
    if (!out.length) {  // nothing reaches past the edge itself: a negative margin, perhaps
        out.push(...[...document.body.querySelectorAll('*')].filter(el => past(el) &&
            !clipped(el)).slice(-4));
    }
    return out.slice(0, 4).map(el => el.tagName.toLowerCase() +
        (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ?
            '.' + el.className.trim().split(/\\s+/).join('.') : '') +
        ' "' + (el.innerText || '').trim().slice(0, 30) + '"');
}"""

# Violations allowed, each with its reason: {(state label, rule id): reason}. Keep it empty.
EXCEPTIONS: dict[tuple[str, str], str] = {}

# The admin site is one family of Django's own pages: its index, a change list and a change form
# (and that form sent with mistakes) stand for it.
ADMIN_STATES = ("admin:index", "admin:accounts_user_changelist", "admin:accounts_user_change")


@dataclass
class State:
    label: str  # "caselogs:new as trainee", unique
    name: str  # the URL name it covers
    who: str  # a key of the people dict: a role, "anonymous" or another person's key
    path: str
    act: Callable[[Page], None] | None = None  # after loading: what to do before axe runs
    expects_error: bool = False  # the act sends a form with mistakes: an error summary shows


# The world ------------------------------------------------------------------------------------


def _session_cookie(user: Any) -> str:
    """A signed-in session with the second factor given, as the login and verify pages leave it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.EmailMembershipBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = next(devices_for_user(user, confirmed=True), None)
    if device is None:
        device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    session["otp_device_id"] = device.persistent_id
    session.create()
    assert session.session_key is not None
    return session.session_key


@dataclass
class Extras:
    """Records the access table cannot give: a step waiting for its signer, a draft to edit."""

    pending_step: Any
    pending_signer: Any
    draft_agreement: Any


def _extras(matrix: MatrixWorld) -> Extras:
    world = matrix.world
    newcomer = make_member(
        Role.TRAINEE,
        world.employer,
        directorate=world.employer_directorate,
        full_name="Dr Newcomer Trainee",
    )
    backup_codes_set(actor=None, user=newcomer, codes=TEST_BACKUP_CODES)
    newcomer_world = replace(world, trainee=newcomer)
    pending = draft(newcomer_world, start_date=date.today() + timedelta(days=30))
    version = pending.versions.order_by("-number").first()
    request = agreement_version_submit(actor=world.training_lead, version=version)
    step = request.steps.order_by("position").first()
    assert step is not None
    another = make_member(
        Role.TRAINEE,
        world.employer,
        directorate=world.employer_directorate,
        full_name="Dr Drafted Trainee",
    )
    draft_agreement = draft(replace(world, trainee=another))
    return Extras(
        pending_step=step,
        pending_signer=signer_for(newcomer_world, step),
        draft_agreement=draft_agreement,
    )


# The states -------------------------------------------------------------------------------------


def _table_states(matrix: MatrixWorld) -> list[State]:
    """Every GET the access table answers 200 for a role's own object (and anonymous ones)."""
    states = []
    for name in matrix_tests.APP_URLS:
        if name in NOT_PAGES:
            continue
        url, rule = matrix_tests.ALL_URLS[name], TABLE.get(name)
        if rule is None:  # not in the access table yet: test_access_matrix names it
            continue
        if rule.method != "get":
            continue
        if rule.anonymous == 200:
            path = reverse(
                name, kwargs=matrix_tests._kwargs(matrix, url, rule.subject, None, "own")
            )
            states.append(State(f"{name} as anonymous", name, "anonymous", path))
        for role in ROLES:
            cell = rule.roles[role]
            own = cell[0] if isinstance(cell, tuple) else cell
            if own != 200:
                continue
            path = reverse(
                name, kwargs=matrix_tests._kwargs(matrix, url, rule.subject, role, "own")
            )
            states.append(State(f"{name} as {role}", name, role, path))
    return states


def _submit_empty(button: str | None = None) -> Callable[[Page], None]:
    """Empty every text box of the main content's first POST form (or the form of the button
    named), then send it, as a person who pressed the button too soon."""

    def act(page: Page) -> None:
        main = page.locator("main")
        if button:
            target = main.get_by_role("button", name=button).first
            form = main.locator("form", has=target).first
        else:
            form = main.locator("form[method=post], form[method=POST]").first
            target = form.locator("button[type=submit], input[type=submit]").last
        for box in form.locator(
            "input[type=text]:visible, input[type=email]:visible, input[type=number]:visible, "
            "input[type=password]:visible, input:not([type]):visible, textarea:visible"
        ).all():
            if box.is_editable():
                box.fill("")
        with page.expect_navigation():
            target.click()

    return act


def _wrong_code(page: Page) -> None:
    page.get_by_label("Code").fill("000000")
    with page.expect_navigation():
        page.locator("main").get_by_role("button").first.click()


def _new_backup_codes(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="backup codes").first.click()


def _upload_list_with_problems(page: Page) -> None:
    """Upload a procedure list whose every row has a problem: nothing is imported, and the page
    shows its problems by row and column (a table only a bad file brings). The accession numbers
    are made up; the importer never shows them back."""
    today = date.today()
    fill_date(page, "First day of the list", today - timedelta(days=30))
    fill_date(page, "Last day of the list", today)
    rows = [
        "procedure_date,accession_number,procedure_code,operator_gmc,operator_role",
        "2026-02-31,AXE-1,MT01,6000000,primary operator",  # no such day
        f"{today.isoformat()},AXE-2,MT01,12345,primary operator",  # not a GMC number
        f"{today.isoformat()},AXE-3,MT01,6000000,scrub nurse",  # not a role
        f"{(today - timedelta(days=400)).isoformat()},AXE-4,MT01,6000000,assistant",  # too early
    ]
    page.get_by_label("The list, as CSV or Excel (.xlsx)").set_input_files(
        {"name": "list.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}
    )
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Check and import").click()


def _extra_states(matrix: MatrixWorld, extras: Extras) -> list[State]:
    own = matrix.records["own"]
    draft_id = extras.draft_agreement.pk
    return [
        State(
            "signoffs:sign, a step waiting for its signer",
            "signoffs:sign",
            "pending_signer",
            reverse("signoffs:sign", args=[extras.pending_step.pk]),
        ),
        State(
            "agreements:edit, a draft",
            "agreements:edit",
            "training_lead",
            reverse("agreements:edit", args=[draft_id]),
        ),
        State(
            "accounts:two_factor_verify, password given",
            "accounts:two_factor_verify",
            "half_signed_in",
            reverse("accounts:two_factor_verify"),
        ),
        State(
            "accounts:backup_codes, new codes shown",
            "accounts:backup_codes",
            "trainee",
            reverse("accounts:security"),
            act=_new_backup_codes,
        ),
        State(
            "documents:verify, a code that is not ours",
            "documents:verify",
            "anonymous",
            reverse("documents:verify", args=["NOT-A-CODE"]),
        ),
        State("not found page", "home", "trainee", "/no-such-page/"),
        State(
            "reconciliation:list_upload, a list with problems",
            "reconciliation:list_upload",
            "training_lead",
            reverse("reconciliation:list_upload"),
            act=_upload_list_with_problems,
            expects_error=True,
        ),
        *[
            State(f"{name} as administrator", "admin", "administrator", path)
            for name, path in (
                ("admin:index", reverse("admin:index")),
                ("admin:accounts_user_changelist", reverse("admin:accounts_user_changelist")),
                (
                    "admin:accounts_user_change",
                    reverse("admin:accounts_user_change", args=[own.trainee.pk]),
                ),
            )
        ],
    ]


def _error_states(matrix: MatrixWorld, extras: Extras) -> list[State]:
    """Each form sent empty (or with a wrong code): the page with its error summary."""
    own = matrix.records["own"]
    agreement = own.agreement.pk
    forms: list[tuple[str, str, str, Callable[[Page], None]]] = [
        ("accounts:login", "anonymous", reverse("accounts:login"), _submit_empty()),
        (
            "accounts:two_factor_verify",
            "half_signed_in",
            reverse("accounts:two_factor_verify"),
            _wrong_code,
        ),
        ("accounts:two_factor_setup", "trainee", reverse("accounts:two_factor_setup"), _wrong_code),
        (
            "accounts:password_change",
            "trainee",
            reverse("accounts:password_change"),
            _submit_empty(),
        ),
        (
            "accounts:password_reset",
            "anonymous",
            reverse("accounts:password_reset"),
            _submit_empty(),
        ),
        ("agreements:new", "training_lead", reverse("agreements:new"), _submit_empty()),
        (
            "agreements:edit",
            "training_lead",
            reverse("agreements:edit", args=[extras.draft_agreement.pk]),
            _submit_empty(),
        ),
        (
            "agreements:end",
            "training_lead",
            reverse("agreements:end", args=[agreement]),
            _submit_empty(),
        ),
        ("caselogs:new", "trainee", reverse("caselogs:new"), _submit_empty()),
        ("caselogs:edit", "trainee", reverse("caselogs:edit", args=[own.case.pk]), _submit_empty()),
        ("caselogs:import", "trainee", reverse("caselogs:import"), _submit_empty()),
        ("caselogs:activity_new", "trainee", reverse("caselogs:activity_new"), _submit_empty()),
        (
            "caselogs:assessment_new",
            "supervisor",
            # The form shows once a trainee is chosen.
            reverse("caselogs:assessment_new") + f"?trainee={own.trainee.pk}",
            _submit_empty("Record assessment"),
        ),
        (
            "phases:return",
            "clinical_director",
            reverse("phases:return", args=[agreement]),
            _submit_empty(),
        ),
        ("governance:reports", "governance_lead", reverse("governance:reports"), _submit_empty()),
        (
            "reconciliation:list_upload",
            "training_lead",
            reverse("reconciliation:list_upload"),
            _submit_empty(),
        ),
        (
            "reconciliation:sample_draw",
            "training_lead",
            reverse("reconciliation:sample_draw"),
            _submit_empty(),
        ),
        (
            "reconciliation:sampled_case",
            "training_lead",
            reverse("reconciliation:sampled_case", args=[own.sample.pk, own.sampled_case.pk]),
            _submit_empty(),
        ),
        (
            "signoffs:sign",
            "pending_signer",
            reverse("signoffs:sign", args=[extras.pending_step.pk]),
            _submit_empty(),
        ),
        (
            "documents:credential_check",
            "anonymous",
            reverse("documents:credential_check"),
            _submit_empty(),
        ),
        # Django's admin, a change form sent empty.
        (
            "admin:accounts_organisation_add",
            "administrator",
            reverse("admin:accounts_organisation_add"),
            _submit_empty("Save"),
        ),
    ]
    return [
        State(f"{name} with errors as {who}", name, who, path, act=act, expects_error=True)
        for name, who, path, act in forms
    ]


def every_state(matrix: MatrixWorld, extras: Extras) -> list[State]:
    return [*_table_states(matrix), *_extra_states(matrix, extras), *_error_states(matrix, extras)]


# Checks -----------------------------------------------------------------------------------------


def _urls_without_a_state(names_with_states: set[str]) -> list[str]:
    return sorted(
        name
        for name in matrix_tests.APP_URLS
        if name not in names_with_states and name not in NOT_PAGES
    )


def test_every_url_has_an_axe_state() -> None:
    """A new named URL must be a page state here (through the access table or EXTRA) or be in
    NOT_PAGES with the reason it has no HTML for axe: none is forgotten silently."""
    table = {
        name
        for name in matrix_tests.APP_URLS
        if name in TABLE
        and TABLE[name].method == "get"
        and (
            TABLE[name].anonymous == 200
            or any(
                (cell[0] if isinstance(cell, tuple) else cell) == 200
                for cell in TABLE[name].roles.values()
            )
        )
    }
    extra = {
        "signoffs:sign",
        "agreements:edit",
        "accounts:two_factor_verify",
        "accounts:backup_codes",
        "documents:verify",
    }
    missing = _urls_without_a_state(table | extra)
    assert not missing, (
        f"URLs that axe never visits: {missing}. Give each a state in "
        "tests/browser/test_accessibility.py, or a NOT_PAGES line saying why it has no page."
    )
    stale = sorted(set(NOT_PAGES) - set(matrix_tests.APP_URLS))
    assert not stale, f"NOT_PAGES names URLs that no longer exist: {stale}"
    assert all(reason.strip() for reason in EXCEPTIONS.values())


def _run_axe(page: Page) -> list[dict]:
    """axe-core, put into every page of the context by its init script, on the page as it is."""
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)


def _settled_overflow(page: Page) -> int:
    """How far the page scrolls sideways once its layout has settled after a resize (content
    that htmx loads, charts that redraw): measured until two readings 300 ms apart agree."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    overflow = sideways_overflow(page)
    for _ in range(5):
        page.wait_for_timeout(300)
        again = sideways_overflow(page)
        if again == overflow:
            return overflow
        overflow = again
    return overflow


def _people(matrix: MatrixWorld, extras: Extras) -> dict:
    people = dict(matrix.actors)
    people["pending_signer"] = extras.pending_signer
    return people


def test_axe_runs_and_reports(browser: Any) -> None:
    """The harness is not vacuous: axe, put in by the init script, reports an image with no text
    alternative and a field with no label, with the tags this file checks."""
    context = browser.new_context()
    context.add_init_script(script=Axe().axe_script)
    page = context.new_page()
    page.goto(
        "data:text/html,<html lang=en><title>t</title><main><h1>t</h1>"
        "<img src=x.png><input type=text></main></html>"
    )
    found = {violation["id"] for violation in _run_axe(page)}
    context.close()
    assert {"image-alt", "label"} <= found, found


@pytest.mark.timeout(1500)
def test_axe_finds_no_violations(live_server: Any, browser: Any, transactional_db: None) -> None:
    matrix = build_matrix_world()
    extras = _extras(matrix)
    people = _people(matrix, extras)
    states = every_state(matrix, extras)
    # axe-core's script, run in every page before the page's own (a CSP does not apply to it).
    axe_script = Axe().axe_script
    base = live_server.url
    host = base.split("//", 1)[1].split(":")[0]

    contexts: dict[str, Any] = {}

    def page_for(who: str) -> Page:
        if who not in contexts:
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London"
            )
            context.set_default_timeout(15_000)
            context.add_init_script(script=axe_script)
            if who in people:
                context.add_cookies(
                    [
                        {
                            "name": "sessionid",
                            "value": _session_cookie(people[who]),
                            "domain": host,
                            "path": "/",
                        }
                    ]
                )
            page = context.new_page()
            if who == "half_signed_in":  # the password given, the second factor not yet
                page.goto(base + reverse("accounts:login"))
                page.get_by_label("E-mail address").fill(matrix.actors["trainee"].email)
                page.get_by_label("Password").fill(TEST_PASSWORD)
                with page.expect_navigation():
                    page.locator("main").get_by_role("button", name="Sign in").click()
            contexts[who] = page
        return contexts[who]

    found: list[dict] = []
    report: list[dict] = []
    problems: list[str] = []
    # Read-only states first, at both widths; then the states that send forms.
    ordered = sorted(states, key=lambda s: s.act is not None)
    only = os.environ.get(
        "AXE_ONLY"
    )  # while working on a page: AXE_ONLY=caselogs:new (a regular expression)
    if only:
        ordered = [state for state in ordered if re.search(only, state.label)]
    for width in WIDTHS:
        for state in ordered:
            page = page_for(state.who)
            page.set_viewport_size({"width": width, "height": HEIGHT[width]})
            try:
                page.goto(base + state.path)
                if state.act is not None:
                    state.act(page)
                if state.expects_error and not page.locator(ERROR_SUMMARY).count():
                    heading = page.locator("h1").first.text_content(timeout=2000)
                    problems.append(
                        f"{state.label} at {width}: no error summary after sending "
                        f"({page.url}, {heading!r})"
                    )
                # Every page's footer links the accessibility statement (issue 14, part 6).
                statement = page.locator(
                    f"footer a[href='{reverse('accessibility')}'], "
                    f"#footer a[href='{reverse('accessibility')}']"
                )
                if width == WIDTHS[0] and not statement.count():
                    problems.append(
                        f"{state.label}: no link to the accessibility statement in its footer"
                    )
                violations = _run_axe(page)
                if width == WIDTHS[-1] and not state.label.startswith("admin:"):
                    # Reflow (1.4.10): at 320 CSS px nothing scrolls sideways but a data table's
                    # own scroll box. The admin is Django's, and not made for phones.
                    page.set_viewport_size({"width": 320, "height": HEIGHT[375]})
                    overflow = _settled_overflow(page)
                    if overflow > 0:
                        problems.append(
                            f"{state.label} at 320: scrolls {overflow} px sideways "
                            f"({', '.join(page.evaluate(STICKING_OUT))})"
                        )
            except Exception as error:  # noqa: BLE001  (one broken state must not hide the rest)
                problems.append(f"{state.label} at {width}: {type(error).__name__}: {error}")
                continue
            kept: list[dict[str, Any]] = [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "targets": [", ".join(map(str, node["target"])) for node in v["nodes"]],
                }
                for v in violations
                if (state.label, v["id"]) not in EXCEPTIONS
            ]
            entry = {"state": state.label, "who": state.who, "width": width, "url": page.url}
            report.append({**entry, "violations": kept})
            found.extend({**entry, **v} for v in kept)
    for page in contexts.values():
        page.context.close()

    if os.environ.get("AXE_REPORT"):
        Path(os.environ["AXE_REPORT"]).write_text(json.dumps(report, indent=1) + "\n")
    lines = [
        f"{v['state']} at {v['width']} px: {v['id']} ({v['impact']}) {v['help']}: "
        + "; ".join(v["targets"][:3])
        for v in found
    ]
    print(f"axe: {len(report)} page states, {len(found)} violations")
    assert not problems, "states that could not be checked:\n" + "\n".join(problems)
    assert not found, f"{len(found)} axe violations:\n" + "\n".join(lines)
