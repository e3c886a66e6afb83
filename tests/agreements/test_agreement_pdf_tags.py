"""The signed agreement as a tagged PDF (PDF/UA-1, issue 14): a screen reader gets its structure."""

import pytest

from tests.pdf_structure import pdf_structure

from .test_agreement_pdf import signed  # noqa: F401  (the fixture: an agreement signed by all)

pytestmark = pytest.mark.django_db


def test_the_agreement_pdf_is_tagged_with_language_title_headings_and_tables(signed):  # noqa: F811 (the fixture)
    agreement, version, request, document = signed
    with document.file.open("rb") as handle:
        structure = pdf_structure(handle.read())
    assert structure.language == "en-GB"
    assert agreement.reference in structure.title
    assert structure.kinds[0] == "Document"
    assert "H1" in structure.kinds and "H2" in structure.kinds
    assert {"Table", "TR", "TH", "TD"} <= set(structure.kinds)
    assert structure.kinds.count("P") >= 10
    assert structure.figures_without_alt == 0
    assert "QR code linking to the verification page" in structure.figure_alts
