"""A check after every database test: no e-mail the app sent and no audit event holds text that a
person wrote into a guarded field during the test (issue: free text stays where it was written).

It reads every guarded field's values left in the database at the end of the test (rows a test
removed are not seen) and looks for each, 16 characters or longer, in the e-mails in the outbox
and in every audit event's summary, object name and data.
"""

import json

import pytest
from django.apps import apps
from django.core import mail

from privacy.commitments import REDACTED
from privacy.guard import guarded_fields, is_history_model

SHORTEST_CHECKED = 16


def _person_written_texts() -> set[str]:
    texts = set()
    for model in apps.get_models():
        if is_history_model(model):
            continue
        for name in guarded_fields(model):
            for value in model._default_manager.exclude(**{name: ""}).values_list(name, flat=True):
                if value and len(value.strip()) >= SHORTEST_CHECKED and value != REDACTED:
                    texts.add(value.strip())
    return texts


def leaks() -> list[str]:
    from audit.models import AuditEvent

    carriers = [f"e-mail to {m.to}: {m.subject}\n{m.body}" for m in mail.outbox]
    carriers += [
        f"audit event {e.sequence} ({e.verb}): {e.summary} | {e.object_repr} | "
        f"{json.dumps(e.data, ensure_ascii=False)}"
        for e in AuditEvent.objects.all()
    ]
    if not carriers:
        return []
    return [
        f"{carrier.splitlines()[0][:120]} carries person-written text {text[:40]!r}"
        for text in _person_written_texts()
        for carrier in carriers
        if text in carrier
    ]


@pytest.fixture(autouse=True)
def _no_person_written_text_travels(request):
    uses_db = any(name in request.fixturenames for name in ("db", "transactional_db"))
    uses_db = uses_db or request.node.get_closest_marker("django_db") is not None
    if not uses_db or "live_server" in request.fixturenames:
        yield
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    # Set up first, so the database is torn down after this check.
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    found = leaks()
    assert not found, "Free text left its row:\n" + "\n".join(found[:10])
