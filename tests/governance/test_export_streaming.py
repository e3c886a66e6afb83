"""Exporting 100,000 cases streams: the first lines leave while the rest are still in the database
behind a server-side cursor. (Memory is measured in `make bench`, not here.)"""

import csv
import io

import pytest
from django.db import connection

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


def _open_cursors() -> int:
    """Server-side cursors open in this connection: a query whose rows are still in the database,
    handed over a chunk at a time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors")
        return cursor.fetchone()[0]


def test_a_100000_case_export_is_produced_lazily(trainee_world, client):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) to make 100,000 cases quickly")
    _copies_of(add_case(trainee_world, final_etici="2b67"), CASES - 1)
    sign_in(client, trainee_world.governance_lead)

    response = client.get("/governance/exports/cases.csv")
    assert response.status_code == 200 and response.streaming
    chunks = iter(response.streaming_content)
    try:
        header, first = next(chunks), next(chunks)
        # The first lines are out while the rest still wait in the database, behind a cursor.
        assert _open_cursors() == 1
        assert 1 <= first.count(b"\r\n") <= 5_000
        rest = b"".join(chunks)
    finally:
        # A failed assertion above must not leave the stream (and its audit event) to a later test.
        for _ in chunks:
            pass
    assert _open_cursors() == 0
    rows = list(csv.reader(io.StringIO((header + first + rest).decode("utf-8-sig"))))
    assert len(rows) == 1 + CASES  # every case, in the end
    assert {row[rows[0].index("final_etici")] for row in rows[1:]} == {"2b67"}
    event = AuditEvent.objects.filter(verb="export.downloaded").latest("pk")
    assert event.data["rows"] == CASES and event.data["complete"] is True
