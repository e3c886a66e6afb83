"""Two document kinds of the fault tests' own, about an organisation: one prints, one never can.

Registered in the test process and, through tests.faults.celeryapp (FAULTS_KINDS=1), in the
worker's processes, so the worker renders them exactly as it renders the app's own kinds.
"""

from django.template import engines

from documents.pdf import verification_footer_context
from documents.registry import DocumentKind, register_document_kind

NOTE = "faults.note"
BROKEN = "faults.broken"

PRINT_TEMPLATE = """{% extends "documents/pdf/base.html" %}
{% block title %}Organisation note{% endblock %}
{% block heading %}Organisation note{% endblock %}
{% block subtitle %}{{ organisation.name }}{% endblock %}
{% block content %}<p>A note about {{ organisation.name }}.</p>{% endblock %}
"""


def _render_note(organisation, document):
    template = engines["django"].from_string(PRINT_TEMPLATE)
    return template.render(
        {
            **verification_footer_context(document),
            "document": document,
            "organisation": organisation,
        }
    )


def _refuse_to_render(organisation, document):
    raise RuntimeError("the print template is broken")


def register() -> None:
    for key, render in ((NOTE, _render_note), (BROKEN, _refuse_to_render)):
        register_document_kind(
            DocumentKind(
                key=key,
                label=f"Fault test {key}",
                render_html=render,
                person_name=lambda organisation: organisation.name,
                may_download=lambda user, organisation: False,
                template_version="faults-1",
            )
        )
