"""What the audit chain check reports, in full, for each way a log can be broken: where the walk
stopped, how many events held, which event and row, and why (issue 19: tests written for the
survivors of mutation testing, docs/testing.md)."""

import pytest

from audit.models import AuditEvent
from audit.services import ChainCheck, audit_chain_verify

from .test_audit_chain import _raw, _write_events

pytestmark = pytest.mark.django_db


def test_an_empty_log_is_intact():
    assert not AuditEvent.objects.exists()
    assert audit_chain_verify() == ChainCheck(True, 0)


def test_an_intact_log_counts_every_event():
    _write_events(3)
    assert audit_chain_verify(chunk_size=2) == ChainCheck(True, 3)


def test_a_missing_event_is_named_by_its_number():
    events = _write_events(3)
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    missing, following = events[1].sequence, events[2].sequence
    assert audit_chain_verify() == ChainCheck(
        False, 1, missing, None, f"event #{missing} is missing (the next one is #{following})"
    )


def test_a_rehashed_event_breaks_the_link_of_the_next():
    events = _write_events(3)
    forged = AuditEvent.objects.get(pk=events[0].pk)
    forged.summary = "forged"
    _raw(
        "UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s",
        ["forged", forged.compute_hash(), forged.pk],
    )
    assert audit_chain_verify() == ChainCheck(
        False,
        1,
        events[1].sequence,
        events[1].pk,
        "its link to the previous event does not match (an event before it was changed)",
    )


def test_a_changed_event_is_named_with_its_row():
    events = _write_events(3)
    _raw("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["rewritten", events[1].pk])
    assert audit_chain_verify() == ChainCheck(
        False,
        1,
        events[1].sequence,
        events[1].pk,
        "its content does not match its hash (it was changed after it was written)",
    )


def test_deleted_latest_events_are_caught_by_the_head():
    events = _write_events(3)
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    assert audit_chain_verify() == ChainCheck(
        False,
        2,
        events[2].sequence,
        None,
        f"the log ends at #{events[1].sequence} but event #{events[2].sequence} was written "
        "(the latest events were deleted or replaced)",
    )


def test_a_replaced_latest_event_is_caught_by_the_head_hash():
    """The latest event rewritten and rehashed: every link holds and the count matches the head,
    but the head's hash does not."""
    events = _write_events(3)
    forged = AuditEvent.objects.get(pk=events[2].pk)
    forged.summary = "forged"
    _raw(
        "UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s",
        ["forged", forged.compute_hash(), forged.pk],
    )
    last = events[2].sequence
    assert audit_chain_verify() == ChainCheck(
        False,
        3,
        last + 1,
        None,
        f"the log ends at #{last} but event #{last} was written "
        "(the latest events were deleted or replaced)",
    )


def test_a_deleted_chain_head_is_reported_not_a_crash():
    """The head row anchors the tail; with it gone the log reads as if no event was written."""
    events = _write_events(3)
    _raw("DELETE FROM audit_auditchainhead", [])
    last = events[2].sequence
    assert audit_chain_verify() == ChainCheck(
        False,
        3,
        last + 1,
        None,
        f"the log ends at #{last} but event #0 was written "
        "(the latest events were deleted or replaced)",
    )
