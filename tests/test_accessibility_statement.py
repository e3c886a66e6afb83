"""The accessibility statement (issue 14, part 6): public, following the GOV.UK model statement,
and linked from the footer of every page (each page's footer is checked in
tests/browser/test_accessibility.py, which visits them all)."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The model statement's sections, each a heading of the page.
SECTIONS = (
    "How accessible this service is",
    "What to do if you cannot use parts of this service",
    "Reporting accessibility problems with this service",
    "Enforcement procedure",
    "Compliance status",
    "Non-accessible content",
    "Preparation of this accessibility statement",
)


def test_the_statement_is_public_and_follows_the_model():
    response = Client().get(reverse("accessibility"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Accessibility statement for Thrombectomy training" in html
    for section in SECTIONS:
        assert f">{section}</h" in html, section
    # Compliance status, the enforcement bodies, and when it was tested.
    assert "partially compliant" in html
    assert "Equality and Human Rights Commission (EHRC)" in html
    assert "Equality Commission for Northern Ireland (ECNI)" in html
    assert "last tested on 4 December 2026" in html
    # True to what was measured: what the tests do not cover is said.
    assert "screen reader" in html and "PDF" in html


def test_the_footer_links_the_statement():
    for path in (reverse("accounts:login"), reverse("documents:credential_check")):
        html = Client().get(path).content.decode()
        footer = html[html.index("<footer") :]
        assert f'href="{reverse("accessibility")}"' in footer, path
