"""Browser tests: headless Chromium, driven by Playwright, against pytest-django's live server.

Every test in this folder is marked ``browser`` and skipped, with the reason shown, when Chromium is
not installed (under CI_REQUIRE_ALL=1 the root conftest turns that skip into a failure).
"""

import asyncio
import os
import re
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect

from ops.chromium import CHROMIUM_ARGS

from ..conftest import CHROMIUM
from ..factories import TEST_PASSWORD, unused_backup_code

# Playwright's sync API runs an event loop in the test thread, so Django would refuse ORM calls
# made from the test itself (seeding people, reading a device) with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}

CSP_WORDS = ("Content Security Policy", "Refused to")


def pytest_collection_modifyitems(config, items):
    # A conftest hook sees every collected item, not only this folder's: filter by path.
    for item in items:
        if HERE not in Path(item.path).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if CHROMIUM is None:
            reason = "browser test: Chromium not found (install Debian's chromium package)"
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started after the test database exists and stopped before it
    is dropped, with every connection of the test thread closed first.

    Playwright leaves an asyncio loop marked as running in the test thread, and asgiref then keeps
    Django's connections in a different store from the one used before the browser started (when
    the database was migrated). pytest-django's teardown closes only one of them, and PostgreSQL
    refuses to drop a database that another session still uses.
    """
    yield live_server
    _close_connections_in_every_store()


def _close_connections_in_every_store():
    """Close the test thread's database connections in both of asgiref's stores: the thread-local
    one (used while no event loop runs) and the context one (used while Playwright's loop runs)."""
    running = asyncio._get_running_loop()
    stand_in = asyncio.new_event_loop()
    try:
        for loop in (None, running or stand_in):
            asyncio._set_running_loop(loop)
            connections.close_all()
    finally:
        asyncio._set_running_loop(running)
        stand_in.close()


@pytest.fixture(scope="module", autouse=True)
def _audit_log_truncatable_between_tests(audit_log_truncatable):
    """live_server empties its database with TRUNCATE after each test (see tests/conftest.py)."""
    yield
    _close_connections_in_every_store()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


class Person:
    """One person's own browser: a context (cookies, session) and a page that records CSP errors."""

    def __init__(self, context, base_url):
        self.context = context
        self.page = context.new_page()
        self.base_url = base_url
        self.csp_errors: list[str] = []
        self.page_errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _on_console(self, message):
        text = message.text
        if any(word in text for word in CSP_WORDS):
            self.csp_errors.append(text)

    def url(self, path):
        return self.base_url + path

    def goto(self, path):
        return self.page.goto(self.url(path))

    def assert_no_csp_errors(self):
        assert not self.csp_errors, "Content-Security-Policy violations:\n" + "\n".join(
            self.csp_errors
        )
        assert not self.page_errors, "JavaScript errors:\n" + "\n".join(self.page_errors)


@pytest.fixture
def open_browser(new_context, live_server):
    """open_browser("desktop" | "phone"): a fresh context for one person, on the live server."""

    def _open(viewport="desktop"):
        context = new_context(**VIEWPORTS[viewport], locale="en-GB", timezone_id="Europe/London")
        context.set_default_timeout(15_000)
        return Person(context, live_server.url)

    return _open


def path_is(path):
    """A URL matcher for expect(page).to_have_url: this path on any host, any query string."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + r"(\?.*)?$")


def sideways_overflow(page) -> int:
    """How far the page scrolls sideways (0 when it fits the viewport)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def browser_sign_in(person, user, code=None):
    """Sign in through the login and second-factor pages with a backup code (the next unused one
    unless given) and land on the home page."""
    page = person.page
    person.goto("/account/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(path_is("/account/two-factor/verify/"))
    page.get_by_label("Code").fill(code or unused_backup_code(user))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(path_is("/"))
    expect(page.get_by_role("heading", name=f"Welcome, {user.full_name}")).to_be_visible()


def fill_date(scope, legend, value):
    """Type a date into the three boxes (day, month, year) of the date field whose legend starts
    with `legend` (NHS.UK date input), as a person would: no leading zeros."""
    group = scope.get_by_role("group", name=re.compile(r"^" + re.escape(legend)))
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))
