"""The logbook journey's world and page helpers (tests/browser/test_logbook_journey.py): an
active agreement with a logbook that looks lived in, and what the journey reads off its pages."""

import importlib
import re
from datetime import timedelta

from django.apps import apps as django_apps
from django.utils import timezone
from playwright.sync_api import expect

from agreements.criteria_defaults import DEFAULT_TEMPLATE_NAME
from agreements.models import CriteriaTemplate
from caselogs import choices as c
from caselogs.models import Case
from caselogs.services import case_log, case_verify

from ..agreements.conftest import build_world, draft, submit_and_sign_all
from ..factories import SiteFactory
from .conftest import path_is

ROLE_LABELS = [label for _, label in c.TraineeRole.choices]
MODE_LABELS = [label for _, label in c.SupervisionMode.choices]
PREFIXES = {
    "mt": "MT",
    "diagnostic_angiogram": "DSA",
    "carotid_stenting": "CAS",
    "other_neuro": "NI",
}


# ---------------------------------------------------------------------------------------------
# Helpers


def ensure_default_criteria_template():
    """A previous live-server test's flush emptied every table, the migration's template too."""
    if not CriteriaTemplate.objects.filter(name=DEFAULT_TEMPLATE_NAME, version=1).exists():
        migration = importlib.import_module("agreements.migrations.0002_default_criteria_template")
        migration.seed_default_template(django_apps, None)


def open_logbook(person):
    """Through the header's main navigation; at phone width its links may sit behind "More"."""
    page = person.page
    nav = page.get_by_role("navigation", name="Main navigation")
    link = nav.get_by_role("link", name="Logbook", exact=True)
    if not link.is_visible():
        nav.get_by_role("button", name=re.compile(r"More")).click()
    link.click()
    expect(page).to_have_url(path_is("/logbook/"))
    expect(page.get_by_role("heading", name="Logbook", level=1)).to_be_visible()


def active(page) -> str:
    """The focused control, as `id` (with `=value` for radios and checkboxes)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el) return '';
            const checkable = el.type === 'radio' || el.type === 'checkbox';
            return (el.id || el.tagName) + (checkable ? '=' + el.value : '');
        }"""
    )


def date_boxes(page, legend) -> tuple[str, str, str]:
    """What the day, month and year boxes of the date field under ``legend`` hold."""
    group = page.get_by_role("group", name=re.compile(r"^" + re.escape(legend)))
    return tuple(group.get_by_label(part).input_value() for part in ("Day", "Month", "Year"))


def as_boxes(day) -> tuple[str, str, str]:
    """A date as the three boxes show it: no leading zeros."""
    return (str(day.day), str(day.month), str(day.year))


def breadcrumb_link(page, name):
    """The way back up: the breadcrumb's link on a desktop, its back link on a phone."""
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    return crumbs.locator("a:visible").filter(has_text=name).first


def banner(page, text):
    """The notification banner that says ``text`` (a success banner is an alert)."""
    return page.locator(".nhsuk-notification-banner").filter(has_text=text)


def text_outside_verify_form(page) -> str:
    """What the supervisor can read on the page, leaving out the choices of their own form."""
    return page.evaluate(
        """() => {
            const main = document.querySelector('main').cloneNode(true);
            main.querySelectorAll('.verify-form').forEach(f => f.remove());
            return main.innerText;
        }"""
    )


def out_of_view(page, selector) -> list[str]:
    """The text of each element matching ``selector`` that is not wholly in the viewport: hidden,
    or reached only by scrolling a container (or the page) sideways."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter(el => {
               const r = el.getBoundingClientRect();
               if (r.width === 0 || r.height === 0) return true;
               if (r.left < 0 || r.right > document.documentElement.clientWidth + 0.5) return true;
               for (let box = el.parentElement; box; box = box.parentElement) {
                   const b = box.getBoundingClientRect();
                   const clips = getComputedStyle(box).overflowX !== 'visible';
                   if (clips && (r.left < b.left - 0.5 || r.right > b.right + 0.5)) return true;
               }
               return false;
           }).map(el => el.innerText.trim())""",
        selector,
    )


def duplicated_ids(page) -> list[str]:
    return page.evaluate(
        """() => { const seen = {};
                   document.querySelectorAll('[id]').forEach(
                       el => seen[el.id] = (seen[el.id] || 0) + 1);
                   return Object.keys(seen).filter(id => seen[id] > 1); }"""
    )


def states_out_of_view(page) -> list[str]:
    """The logbook's State tags a person cannot see without scrolling sideways."""
    return out_of_view(page, "#case-table tbody tr > td:last-child .nhsuk-tag")


def what_the_supervisor_sees_before_deciding(person, case, problems):
    """The queue links each case to its page, and the logbook lists it: neither should show the
    trainee's role or supervision to the supervisor who has still to record their own view."""
    page = person.page
    person.goto("/logbook/queue/")
    page.locator("section.queue-case h2").filter(has_text=case.reference).get_by_role(
        "link", name=case.reference
    ).click()
    expect(page).to_have_url(path_is(f"/logbook/{case.pk}/"))
    expect(page.get_by_role("link", name="Verify or query")).to_be_visible()
    facts = page.locator("main").inner_text()
    shown = [label for label in ROLE_LABELS + MODE_LABELS if label.lower() in facts.lower()]
    if shown:
        problems.append(
            f"case page: the supervisor who has still to decide sees the trainee's entry {shown}, "
            "one click from the queue"
        )
    person.goto("/logbook/?status=submitted")
    row = page.locator("#case-table tbody tr").filter(has_text=case.reference)
    expect(row).to_have_count(1)
    shown = [label for label in ROLE_LABELS if label.lower() in row.inner_text().lower()]
    if shown:
        problems.append(
            f"logbook list: the Role column shows the trainee's entry {shown} for a case waiting "
            "for this supervisor's own view"
        )
    # Nor may the role filter tell it: the trainee entered "primary operator".
    person.goto(f"/logbook/?status=submitted&trainee_role={case.trainee_role}")
    expect(page.get_by_role("heading", name="Logbook", level=1)).to_be_visible()
    if page.locator("#case-table tbody tr").filter(has_text=case.reference).count():
        problems.append(
            "logbook list: filtering by role finds a case still waiting for this supervisor's own "
            "view, so the filter (and the By role summary) tell them the trainee's entry"
        )


# ---------------------------------------------------------------------------------------------
# The world: an active agreement and a logbook that looks lived in


def seed_logbook(world):
    """Fifteen earlier cases: most verified by the lead supervisor, one queried, some waiting.

    The last one is logged with the second supervisor at the trainee's home site, so the form's
    defaults (taken from the previous case) must be changed from the keyboard."""
    today = timezone.localdate()
    lead, second = world.lead_supervisor, world.second_supervisor
    rows = [
        # days ago, procedure, role, mode, eTICI, passes, supervisor, outcome
        (70, "diagnostic_angiogram", "assistant", "scrubbed", "", None, lead, "verified"),
        (66, "mt", "observer", "scrubbed", "2b67", 2, lead, "verified"),
        (61, "mt", "assistant", "scrubbed", "3", 1, lead, "verified"),
        (55, "diagnostic_angiogram", "primary_operator", "in_room", "", None, lead, "verified"),
        (50, "mt", "assistant", "scrubbed", "2c", 1, second, "verified"),
        (44, "mt", "primary_operator", "scrubbed", "2b50", 3, lead, "verified"),
        (39, "carotid_stenting", "assistant", "scrubbed", "", None, lead, "verified"),
        (33, "mt", "primary_operator", "scrubbed", "3", 1, lead, "verified"),
        (28, "mt", "primary_operator", "in_room", "2a", 4, lead, "queried"),
        (21, "mt", "primary_operator", "scrubbed", "2c", 2, lead, "waiting"),
        (17, "diagnostic_angiogram", "primary_operator", "in_room", "", None, lead, "waiting"),
        (12, "mt", "primary_operator", "scrubbed", "2b67", 2, lead, "waiting"),
        (8, "mt", "assistant", "scrubbed", "3", 1, lead, "waiting"),
        (5, "other_neuro", "assistant", "scrubbed", "", None, lead, "waiting"),
        (3, "mt", "primary_operator", "in_room", "2c", 1, second, "waiting"),
    ]
    cases = []
    for n, (days, procedure, role, mode, etici, passes, supervisor, outcome) in enumerate(rows, 1):
        reference = f"{PREFIXES[procedure]}-2026-{n:03d}"
        case = case_log(
            trainee=world.trainee,
            data={
                "reference": reference,
                "performed_on": today - timedelta(days=days),
                "site": world.home_site if n == len(rows) else world.site,
                "out_of_hours": n % 3 == 0,
                "procedure": procedure,
                "trainee_role": role,
                "supervisor": supervisor,
                "supervision_mode": mode,
                "final_etici": etici,
                "passes": passes,
                "any_complication": n == 6,
                "complications": ["access_haematoma"] if n == 6 else [],
                "age": 60 + n,
                "sex": "female" if n % 2 else "male",
                "occlusion_site": "m1" if procedure == "mt" else "",
                "occlusion_side": "left" if procedure == "mt" else "",
            },
        )
        # Submitted when performed, so the queue shows real waiting times.
        Case.objects.filter(pk=case.pk).update(
            submitted_at=timezone.now() - timedelta(days=days) + timedelta(hours=6)
        )
        if outcome != "waiting":
            case_verify(
                case=case,
                supervisor=supervisor,
                role_view=role,
                mode_view=mode,
                decision=outcome,
                comment="Please add the door-to-puncture time from the stroke sheet."
                if outcome == "queried"
                else "",
            )
        cases.append(case)
    return cases


def lived_in_world():
    ensure_default_criteria_template()
    world = build_world()
    submit_and_sign_all(world, draft(world))
    world.site = SiteFactory(organisation=world.centre, name="Southbank Royal Infirmary")
    world.home_site = SiteFactory(organisation=world.employer, name="Northgate General")
    world.cases = seed_logbook(world)
    return world
