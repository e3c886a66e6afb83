"""The administration's wording and formats, without a browser (tests/browser/test_administration.py
looks at the pages): section names, 24-hour times, the favicon."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import formats

from accounts.models import Role

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def test_sign_in_apps_have_readable_section_names():
    assert apps.get_app_config("otp_static").verbose_name == "Backup codes"
    assert apps.get_app_config("otp_totp").verbose_name == "Authenticator apps"
    assert apps.get_app_config("axes").verbose_name == "Sign-in lockouts"


def test_times_are_on_the_24_hour_clock():
    moment = datetime(2026, 12, 4, 14, 5, tzinfo=ZoneInfo("Europe/London"))
    assert formats.date_format(moment, "DATETIME_FORMAT") == "4 Dec 2026, 14:05"
    assert formats.time_format(moment.time()) == "14:05"
    assert formats.localize(moment) == "4 Dec 2026, 14:05"


def test_favicon_ico_leads_to_the_apps_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/img/favicon.svg")


def test_the_admin_greets_by_the_whole_name(client, organisation, member):
    administrator = member(Role.ADMINISTRATOR, organisation, full_name="Programme Administrator")
    sign_in(client, administrator)
    page = client.get("/admin/").content.decode()
    assert 'Signed in as <strong class="person-name">Programme Administrator</strong>' in page
    assert "Welcome," not in page
    assert 'rel="icon"' in page
