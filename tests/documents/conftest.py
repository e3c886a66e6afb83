"""A document kind of the tests' own, about an organisation; private storage in a temp folder."""

import pytest
from django.template import engines

from accounts.models import Role
from audit.models import AuditEvent
from documents.models import GeneratedDocument
from documents.pdf import verification_footer_context
from documents.registry import DocumentKind, register_document_kind, unregister_document_kind
from documents.services import document_request
from documents.tasks import document_render_task

PRINT_TEMPLATE = """{% extends "documents/pdf/base.html" %}
{% block title %}Organisation record{% endblock %}
{% block running_title %}Organisation record · {{ organisation.name }}{% endblock %}
{% block document_kind %}Training governance record{% endblock %}
{% block heading %}Organisation record{% endblock %}
{% block subtitle %}{{ organisation.name }}{% endblock %}
{% block key_facts %}
<tr><th scope="row">Organisation</th><td>{{ organisation.name }}</td></tr>
<tr><th scope="row">Kind</th><td>{{ organisation.get_kind_display }}</td></tr>
{% endblock %}
{% block content %}
<h2>Completion criteria</h2>
<table class="criteria">
  <thead><tr><th>Criterion</th><th class="num">Required</th><th class="num">Achieved</th><th>Source</th><th>Status</th></tr></thead>
  <tbody>
  {% for c in criteria %}
    <tr><td>{{ c.0 }}</td><td class="num">{{ c.1 }}</td><td class="num">{{ c.2 }}</td><td>{{ c.3 }}</td>
        <td>{% if c.2 >= c.1 %}<span class="status-met">Met</span>{% else %}<span class="status-not-met">Not met</span>{% endif %}</td></tr>
  {% endfor %}
  </tbody>
</table>
<div class="statement">The training arrangement does not compromise interventional neuroradiology or
interventional radiology services, and job plans recognise elective and emergency commitments.</div>
<h2>Signatures</h2>
<table class="manifest">
  <thead><tr><th>Signed as</th><th>Name</th><th>GMC number</th><th>Signed (UTC)</th><th>Authentication</th></tr></thead>
  {% for s in signatures %}
  <tbody>
    <tr><td>{{ s.0 }}</td><td>{{ s.1 }}</td><td>{{ s.2 }}</td><td>{{ s.3 }}</td><td>{{ s.4 }}</td></tr>
    <tr><td colspan="5" class="meaning">“{{ s.5 }}”</td></tr>
  </tbody>
  {% endfor %}
</table>
{% endblock %}
"""

CRITERIA = [
    (
        "Mechanical thrombectomies as primary operator (verified)",
        50,
        52,
        "Commonly quoted figure; BSIR/BSNR/RCR 2017",
    ),
    ("Diagnostic cerebral angiograms (cumulative)", 100, 96, "US neurovascular standards, 2009"),
    ("Distinct INRs verifying evidence", 2, 3, "RCR, 2020"),
    (
        "Successful reperfusion (eTICI 2b50 or better), last 20 cases",
        80,
        85,
        "UK and Swedish registries, 83-86%",
    ),
    ("MDT or stroke meetings attended", 10, 14, "Local agreement"),
]
SIGNATURES = [
    (
        "Lead supervisor (INR)",
        "Dr Sam Okafor",
        "6000001",
        "3 May 2025, 14:02",
        "password and authenticator app code (TOTP)",
        "I recommend that Dr Alex Example may start independent stroke thrombectomy.",
    ),
    (
        "Second INR",
        "Dr Priya Raman",
        "6000003",
        "4 May 2025, 09:15",
        "password and authenticator app code (TOTP)",
        "I concur that Dr Alex Example may start independent stroke thrombectomy.",
    ),
    (
        "Medical director",
        "Dr Pat Hughes",
        "6000002",
        "6 May 2025, 16:40",
        "password and authenticator app code (TOTP)",
        "I countersign that Dr Alex Example may start independent stroke thrombectomy.",
    ),
]

KIND = "tests.organisation_record"
FAILING_KIND = "tests.broken"


def _render_organisation(organisation, document):
    template = engines["django"].from_string(PRINT_TEMPLATE)
    return template.render(
        {
            **verification_footer_context(document),
            "document": document,
            "organisation": organisation,
            "criteria": CRITERIA,
            "signatures": SIGNATURES,
        }
    )


def _governance_lead_of(user, organisation) -> bool:
    return (
        user.memberships.active()
        .filter(organisation=organisation, role=Role.GOVERNANCE_LEAD)
        .exists()
    )


def _refuse_to_render(organisation, document):
    raise RuntimeError("the print template is broken")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def document_kinds():
    register_document_kind(
        DocumentKind(
            key=KIND,
            label="Organisation record",
            render_html=_render_organisation,
            person_name=lambda organisation: organisation.name,
            may_download=_governance_lead_of,
            template_version="tests-1",
            # Sealed with the organisation's own key where it has one (tests/seal_pki.py).
            issuer=lambda organisation: organisation,
        )
    )
    register_document_kind(
        DocumentKind(
            key=FAILING_KIND,
            label="Broken document",
            render_html=_refuse_to_render,
            person_name=lambda organisation: organisation.name,
            may_download=_governance_lead_of,
            template_version="tests-1",
        )
    )
    yield
    unregister_document_kind(KIND)
    unregister_document_kind(FAILING_KIND)


@pytest.fixture
def queued(monkeypatch):
    """Records the ids the render task is queued with, instead of sending them anywhere.

    Honest with either Celery mode: in-process (the default) or a real broker (CI's REDIS_URL).
    """
    ids: list[int] = []
    monkeypatch.setattr(document_render_task, "delay", lambda document_id: ids.append(document_id))
    return ids


@pytest.fixture
def requested(organisation, django_capture_on_commit_callbacks, queued):
    """A pending document of the test kind, its render queued (and recorded) after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(kind=KIND, subject=organisation, content_digest="a" * 64)
    assert queued == [document.pk]
    return document


@pytest.fixture
def issued(requested):
    """The same document, rendered by the task function as a worker would."""
    document_render_task(requested.pk)
    requested.refresh_from_db()
    return requested


def document_event(verb: str, document: GeneratedDocument) -> AuditEvent:
    """The one event of this verb about this document (the request's event names its type)."""
    requested = AuditEvent.objects.get(verb="document.requested", object_id=str(document.pk))
    return AuditEvent.objects.get(
        verb=verb, object_type=requested.object_type, object_id=str(document.pk)
    )
