"""Eight people asking at the same moment for the same document get one document."""

import threading

import pytest
from django.db import connection, connections

from documents.models import GeneratedDocument
from documents.services import document_request
from tests.factories import OrganisationFactory

from .conftest import KIND


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent connections need PostgreSQL (DATABASE_URL); CI runs this",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_log_truncatable")
def test_concurrent_requests_for_the_same_content_give_one_document(queued):
    organisation = OrganisationFactory()
    barrier = threading.Barrier(8)
    results, errors = [], []

    def ask():
        try:
            barrier.wait(timeout=10)
            results.append(
                document_request(kind=KIND, subject=organisation, content_digest="c" * 64).pk
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == 8 and len(set(results)) == 1
    assert GeneratedDocument.objects.count() == 1
    assert set(queued) == set(results)
