"""What a page reads once and keeps for the request, though many parts of it ask (issue 19:
mutation testing found both per-request caches in ``accounts.selectors`` could be switched off
without any test failing)."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.models import Device

from accounts.models import Membership, Role

from .conftest import sign_in, sign_in_with_password_only
from .factories import make_member, make_user

pytestmark = pytest.mark.django_db


def _reads_of(tables, queries):
    return [q["sql"] for q in queries if any(f'"{table}"' in q["sql"] for table in tables)]


def test_the_devices_are_read_once_a_page_though_the_middleware_and_the_menu_both_ask(client):
    """For a person who need not give a code, both the two-factor middleware and the menu ask
    whether they have a device; the answer is kept for the request."""
    user = make_user()
    sign_in_with_password_only(client, user)
    device_tables = {model._meta.db_table for model in _device_models()}
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert len(_reads_of(device_tables, queries)) == len(device_tables)


def test_the_memberships_are_read_once_a_page_though_many_parts_ask(client, organisation):
    """The menu, the header's organisation names, the home page and every permission check ask
    for the person's roles; they are read once and kept for the request."""
    user = make_member(Role.SUPERVISOR, organisation)
    sign_in(client, user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert len(_reads_of({Membership._meta.db_table}, queries)) == 1


def _device_models():
    """Every kind of second-factor device installed, whether or not this person has one."""
    return [model for model in apps.get_models() if issubclass(model, Device)]
