"""The logbook, the verification queue and the activity list make as many queries for 500 cases as
for 10."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caselogs.activity_services import activity_log

from ..conftest import sign_in
from .conftest import log_case

pytestmark = pytest.mark.django_db


def _add(world, start, count):
    for n in range(start, start + count):
        log_case(world, reference=f"Q-{n:04d}", performed_on=date.today() - timedelta(days=n % 300))
        if n % 5 == 0:
            activity_log(
                trainee=world.trainee,
                data={
                    "kind": "mdt",
                    "happened_on": date.today() - timedelta(days=n % 300),
                    "hours": "1",
                    "notes": "",
                    "supervisor": world.lead_supervisor,
                },
            )


def _count(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_lists_stay_flat_from_10_to_500(logbook, client, django_assert_max_num_queries):
    _add(logbook, 0, 10)
    trainee_client, supervisor_client = client, client.__class__()
    sign_in(trainee_client, logbook.trainee)
    sign_in(supervisor_client, logbook.lead_supervisor)
    pages = [
        (trainee_client, "/logbook/"),
        (trainee_client, "/logbook/?procedure=mt&sort=date"),
        (trainee_client, "/logbook/activities/"),
        (supervisor_client, "/logbook/queue/"),
        (supervisor_client, "/logbook/?trainee=all"),
        (supervisor_client, "/"),
    ]
    small = [_count(c, path) for c, path in pages]
    _add(logbook, 10, 490)
    for (c, path), limit in zip(pages, small, strict=True):
        with django_assert_max_num_queries(limit):
            assert c.get(path).status_code == 200, path
