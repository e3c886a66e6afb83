"""The completion certificate as a tagged PDF (PDF/UA-1, issue 14)."""

import pytest

from tests.pdf_structure import pdf_structure

from .test_certificate_credential import certificate  # noqa: F401  (the fixture: an issued certificate)

pytestmark = pytest.mark.django_db


def test_the_certificate_pdf_is_tagged_with_language_title_headings_and_tables(
    small_world,
    certificate,  # noqa: F811 (the fixture)
):
    with certificate.file.open("rb") as handle:
        structure = pdf_structure(handle.read())
    assert structure.language == "en-GB"
    assert structure.title.strip()
    assert structure.kinds[0] == "Document"
    assert "H1" in structure.kinds
    assert {"Table", "TR", "TH", "TD"} <= set(structure.kinds)
    assert structure.figures_without_alt == 0
    assert "QR code linking to the verification page" in structure.figure_alts
