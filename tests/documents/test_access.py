"""Download and status: signed in, and only for people the kind allows; others get 404."""

import dataclasses
import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import Role
from documents.models import GeneratedDocument
from documents.registry import document_kind, register_document_kind, unregister_document_kind
from documents.selectors import document_user_may_download
from documents.services import document_mark_failed
from tests.conftest import sign_in

from .conftest import KIND

pytestmark = pytest.mark.django_db
OPEN_KIND = "tests.open-to-all"


def _status(client, document, *, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.get(reverse("documents:status", args=[document.pk]), **headers)


def test_download_is_404_for_a_user_the_kind_refuses(client, issued, member, other_organisation):
    stranger = member(Role.GOVERNANCE_LEAD, other_organisation)
    sign_in(client, stranger)
    response = client.get(reverse("documents:download", args=[issued.pk]))
    assert response.status_code == 404


def test_download_streams_the_file_to_a_user_the_kind_allows(client, issued, member, organisation):
    lead = member(Role.GOVERNANCE_LEAD, organisation)
    sign_in(client, lead)
    response = client.get(reverse("documents:download", args=[issued.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"organisation-record-{issued.verification_code}.pdf" in disposition
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == issued.sha256


def test_download_needs_sign_in(client, issued):
    response = client.get(reverse("documents:download", args=[issued.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_download_of_a_document_not_yet_ready_is_404(client, requested, member, organisation):
    sign_in(client, member(Role.GOVERNANCE_LEAD, organisation))
    assert client.get(reverse("documents:download", args=[requested.pk])).status_code == 404


def test_status_polls_while_the_pdf_is_produced(client, requested, member, organisation):
    sign_in(client, member(Role.GOVERNANCE_LEAD, organisation))
    response = _status(client, requested)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Producing the PDF" in html
    assert f'hx-get="{reverse("documents:status", args=[requested.pk])}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert 'hx-swap="outerHTML"' in html
    assert "<html" not in html


def test_status_shows_the_link_and_code_once_ready_and_stops_polling(
    client, issued, member, organisation
):
    sign_in(client, member(Role.GOVERNANCE_LEAD, organisation))
    html = _status(client, issued).content.decode()
    assert reverse("documents:download", args=[issued.pk]) in html
    assert issued.verification_code in html
    assert "hx-trigger" not in html
    assert "Producing the PDF" not in html


def test_status_says_when_the_pdf_could_not_be_produced(client, requested, member, organisation):
    document_mark_failed(document_id=requested.pk, error="RuntimeError: boom")
    sign_in(client, member(Role.GOVERNANCE_LEAD, organisation))
    html = _status(client, requested).content.decode()
    assert "could not be produced" in html
    assert "hx-trigger" not in html
    assert "boom" not in html


def test_status_without_htmx_is_a_whole_page(client, requested, member, organisation):
    sign_in(client, member(Role.GOVERNANCE_LEAD, organisation))
    html = _status(client, requested, htmx=False).content.decode()
    assert "<html" in html and "Producing the PDF" in html


def test_status_is_404_for_a_user_the_kind_refuses(client, requested, member, other_organisation):
    sign_in(client, member(Role.TRAINEE, other_organisation))
    assert _status(client, requested).status_code == 404


@pytest.fixture
def open_to_all_kind(issued):
    """The issued document, its kind now one that lets anyone at all have it."""
    register_document_kind(
        dataclasses.replace(document_kind(KIND), key=OPEN_KIND, may_download=lambda u, s: True)
    )
    GeneratedDocument.objects.filter(pk=issued.pk).update(kind=OPEN_KIND)
    issued.refresh_from_db()
    yield issued
    unregister_document_kind(OPEN_KIND)


@pytest.mark.parametrize("nobody", [AnonymousUser(), None], ids=["not signed in", "no one"])
def test_no_one_signed_in_may_have_a_document_whatever_its_kind_allows(open_to_all_kind, nobody):
    """Every download page asks for sign-in first; the selector refuses as well, so a page that
    forgot to would still give nothing away."""
    assert document_user_may_download(nobody, open_to_all_kind) is False


def test_a_document_of_a_kind_no_longer_registered_is_404_to_everyone(
    client, issued, member, organisation
):
    """A document kind removed from the code leaves its documents behind: nobody may have them,
    since nothing says who may."""
    GeneratedDocument.objects.filter(pk=issued.pk).update(kind="tests.withdrawn-kind")
    lead = member(Role.GOVERNANCE_LEAD, organisation)
    sign_in(client, lead)
    assert client.get(reverse("documents:download", args=[issued.pk])).status_code == 404
    assert _status(client, issued).status_code == 404
