"""Exporting 100,000 cases streams: the first lines leave before more than a chunk of cases has
been read from the database. (Memory is measured in `make bench`, not here.)"""

import csv
import io

import pytest
from django.db import connection
from django.db.models.signals import post_init

from audit.models import AuditEvent
from caselogs.models import Case

from ..conftest import sign_in
from ..phases.conftest import add_case

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CASES = 100_000


def _copies_of(case, n):
    """n more verified cases like this one, made inside PostgreSQL in one statement (creating
    100,000 through the ORM would take minutes and prove nothing more)."""
    columns = [f.column for f in Case._meta.concrete_fields if f.column not in ("id", "reference")]
    listed = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Case._meta.db_table} (reference, {listed}) "
            f"SELECT 'S-' || g, {listed} FROM {Case._meta.db_table}, generate_series(1, %s) g "
            f"WHERE id = %s",
            [n, case.pk],
        )


@pytest.fixture
def built_cases():
    """How many Case objects have been built from database rows so far."""
    counter = {"n": 0}

    def count(sender, **kwargs):
        counter["n"] += 1

    post_init.connect(count, sender=Case, weak=False)
    yield counter
    post_init.disconnect(count, sender=Case)


def test_a_100000_case_export_is_produced_lazily(trainee_world, client, built_cases):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) to make 100,000 cases quickly")
    _copies_of(add_case(trainee_world, final_etici="2b67"), CASES - 1)
    sign_in(client, trainee_world.governance_lead)
    built_cases["n"] = 0

    response = client.get("/governance/exports/cases.csv")
    assert response.status_code == 200 and response.streaming
    lines = iter(response.streaming_content)
    first = [next(lines) for _ in range(11)]  # the header and ten cases
    assert 10 <= built_cases["n"] <= 2_000, built_cases["n"]  # one chunk read, not 100,000

    rest = sum(1 for _ in lines)
    assert rest == CASES - 10 and built_cases["n"] == CASES  # every case, in the end
    rows = list(csv.reader(io.StringIO(b"".join(first).decode("utf-8-sig"))))
    assert len(rows) == 11 and rows[1][rows[0].index("final_etici")] == "2b67"
    event = AuditEvent.objects.filter(verb="export.downloaded").latest("pk")
    assert event.data["rows"] == CASES and event.data["complete"] is True
