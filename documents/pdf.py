"""HTML to PDF with WeasyPrint, and the verification footer every printed document carries.

WeasyPrint (here and in ``documents.fetcher``) is imported only when a PDF is made: importing it
costs a second and tens of megabytes, which web processes never need. Print templates extend
``documents/pdf/base.html`` and are rendered with autoescaping; the URL fetcher lets them load only
our own static files.
"""

from typing import TYPE_CHECKING, Any

from .models import GeneratedDocument

if TYPE_CHECKING:
    from .sealing import SealPlacement

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse


class DocumentRenderError(Exception):
    """WeasyPrint could not produce the PDF (for example, the template asked for a refused URL)."""


def verify_url(document: GeneratedDocument) -> str:
    path = reverse("documents:verify", args=[document.verification_code])
    return settings.SITE_URL.rstrip("/") + path


def verification_footer_context(document: GeneratedDocument) -> dict:
    """What the running footer of every page prints: the code, where to check it, and a QR code."""
    url = verify_url(document)
    qr = segno.make(url, error="m", micro=False)
    return {
        "verification_code": document.verification_code,
        "verify_url": url,
        "qr_svg_data_uri": qr.svg_data_uri(scale=4, border=0, dark="#212b32"),
        # Set by documents.services.document_render from the seal key's certificate, so the
        # visible seal block names the organisation whose key seals the file.
        "seal_organisation": getattr(document, "seal_organisation", ""),
    }


def document_html(template_name: str, context: dict, *, document: GeneratedDocument) -> str:
    """Render a print template that extends documents/pdf/base.html, with the footer filled in."""
    return render_to_string(
        template_name,
        {**verification_footer_context(document), "document": document, **context},
    )


# The element of base.html that the seal's signature field is laid over.
SEAL_BLOCK_ANCHOR = "document-seal"
# WeasyPrint lays out in CSS pixels (96 per inch); PDF user space is in points (72 per inch).
_POINTS_PER_PX = 0.75


def _seal_placement(rendered: Any) -> "SealPlacement | None":
    """Where the seal block landed: its page and border box in PDF points (origin bottom left).

    WeasyPrint records every element with an id as an anchor: (x1, y1, x2, y2) in CSS pixels from
    the page's top left.
    """
    from .sealing import SealPlacement

    for index in range(len(rendered.pages) - 1, -1, -1):
        page = rendered.pages[index]
        if SEAL_BLOCK_ANCHOR in page.anchors:
            x1, top, x2, bottom = page.anchors[SEAL_BLOCK_ANCHOR]
            box = (x1, page.height - bottom, x2, page.height - top)
            return SealPlacement(page=index, box=tuple(round(v * _POINTS_PER_PX) for v in box))
    return None


def pdf_render(html: str) -> "tuple[bytes, SealPlacement | None]":
    """WeasyPrint's PDF and where its seal block is (None if the template has none)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .fetcher import StaticFilesOnlyURLFetcher, static_base_url

    try:
        rendered = HTML(
            string=html, base_url=static_base_url(), url_fetcher=StaticFilesOnlyURLFetcher()
        ).render()
        # PDF/UA-1: tagged (a structure tree a screen reader follows), with the document's language
        # and title (issue 14). Images need alt text: WeasyPrint logs an error for one without.
        return rendered.write_pdf(pdf_variant="pdf/ua-1"), _seal_placement(rendered)
    except FatalURLFetchingError as error:
        # BaseException in WeasyPrint; turned into an ordinary error so the task can retry or fail.
        cause = error.__cause__ or error
        raise DocumentRenderError(f"{error}: {cause}") from cause


def pdf_from_html(html: str) -> bytes:
    """The bare PDF, unsealed (the benchmark's baseline; issued documents go through services)."""
    return pdf_render(html)[0]
