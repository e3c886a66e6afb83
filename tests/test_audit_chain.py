"""The audit log is append-only and tamper-evident: audit_verify names the first broken event."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accounts.models import Role
from audit.models import AuditEvent, AuditLogIsAppendOnly
from audit.services import audit_event_record

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _write_events(n):
    return [
        audit_event_record(actor=None, verb="test.event", summary=f"event {i}", data={"i": i})
        for i in range(n)
    ]


def _raw(sql, params=()):
    """Run SQL as a privileged operator would, past the PostgreSQL append-only trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Flush the deferred foreign-key checks first: ALTER TABLE refuses pending events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def _verify_output():
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_intact_log_passes():
    _write_events(5)
    assert "intact: 5 events" in _verify_output()


def test_events_are_chained_and_carry_the_request_context():
    first, second = _write_events(2)
    assert second.previous_hash == first.hash
    assert second.sequence == first.sequence + 1
    assert len(first.hash) == 64


def test_changed_row_is_named():
    events = _write_events(5)
    _raw("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["rewritten", events[2].pk])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    message = str(excinfo.value)
    assert f"event #{events[2].sequence} (row id {events[2].pk})" in message
    assert "does not match its hash" in message


def test_deleted_row_is_named():
    events = _write_events(5)
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert f"event #{events[1].sequence} is missing" in str(excinfo.value)


def test_deleting_the_latest_event_is_caught_by_the_head():
    events = _write_events(3)
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert "latest events were deleted" in str(excinfo.value)


def test_a_rehashed_row_still_breaks_the_link_to_the_next():
    events = _write_events(3)
    forged = AuditEvent.objects.get(pk=events[0].pk)
    forged.summary = "forged"
    _raw(
        "UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s",
        ["forged", forged.compute_hash(), forged.pk],
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert f"event #{events[1].sequence}" in str(excinfo.value)


def test_orm_refuses_changes_and_deletions():
    event = _write_events(1)[0]
    event.summary = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(summary="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
def test_postgres_trigger_refuses_raw_update_and_delete():
    event = _write_events(1)[0]
    for sql in (
        "UPDATE audit_auditevent SET summary = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == event.summary


# Every column the hash covers, with a value that differs from what _write_events wrote. The test
# below fails if the chain stops covering any of them (issue 19: only `summary` was ever tampered).
TAMPERED_COLUMNS = {
    "occurred_at": "2001-01-01 00:00:00",
    "actor_label": "Someone Else <someone@example.org>",
    "verb": "test.other",
    "object_type": "audit.auditevent",
    "object_id": "999",
    "object_repr": "another object",
    "summary": "rewritten",
    "data": '{"i": 99}',
    "request_id": "forged-request",
}


def test_every_column_is_hashed_and_tampered_with_below():
    columns = {field.attname for field in AuditEvent._meta.concrete_fields} - {"id", "hash"}
    event = _write_events(1)[0]
    assert set(json.loads(event.canonical_content())) == columns
    # sequence and previous_hash have checks of their own (missing event, broken link).
    assert columns - {"sequence", "previous_hash", "actor_id"} == set(TAMPERED_COLUMNS)


@pytest.mark.parametrize("column", sorted(TAMPERED_COLUMNS))
def test_a_change_to_any_hashed_column_is_named(column):
    events = _write_events(3)
    _raw(
        f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s",  # nosec: fixed names
        [TAMPERED_COLUMNS[column], events[1].pk],
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert f"event #{events[1].sequence} (row id {events[1].pk})" in str(excinfo.value)


def test_a_changed_actor_is_named(member):
    someone = member(Role.TRAINEE, OrganisationFactory())
    events = _write_events(3)
    _raw("UPDATE audit_auditevent SET actor_id = %s WHERE id = %s", [someone.pk, events[1].pk])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert f"event #{events[1].sequence} (row id {events[1].pk})" in str(excinfo.value)


def test_an_events_hash_is_the_sha256_of_its_documented_canonical_json():
    """docs/architecture.md, "Audit log": keys sorted, no spaces, non-ASCII written as UTF-8,
    the time to the microsecond. Anyone holding an exported event can recompute its hash from
    that description alone, and events hashed before a release still verify after it (issue 19:
    each of those choices could change unnoticed, since the chain checks itself with the same
    code)."""
    import hashlib
    from datetime import UTC, datetime

    event = AuditEvent(
        sequence=7,
        occurred_at=datetime(2026, 12, 5, 9, 30, 1, 250, tzinfo=UTC),
        actor_id=3,
        actor_label="Dr Zoë Example <zoe@example.org>",
        verb="agreement.activated",
        object_type="agreements.agreementversion",
        object_id="12",
        object_repr="TA-2026-0001 v2",
        summary="Signed – now in force",
        data={"version": 2, "changes": ["end date"]},
        request_id="req-1",
        previous_hash="ab" * 32,
    )
    canonical = (
        '{"actor_id":3,"actor_label":"Dr Zoë Example <zoe@example.org>",'
        '"data":{"changes":["end date"],"version":2},"object_id":"12",'
        '"object_repr":"TA-2026-0001 v2","object_type":"agreements.agreementversion",'
        '"occurred_at":"2026-12-05T09:30:01.000250+00:00","previous_hash":"' + "ab" * 32 + '",'
        '"request_id":"req-1","sequence":7,"summary":"Signed – now in force",'
        '"verb":"agreement.activated"}'
    )
    assert event.compute_hash() == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
