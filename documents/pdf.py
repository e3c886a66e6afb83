"""HTML to PDF with WeasyPrint, and the verification footer every printed document carries.

WeasyPrint (here and in ``documents.fetcher``) is imported only when a PDF is made: importing it
costs a second and tens of megabytes, which web processes never need. Print templates extend
``documents/pdf/base.html`` and are rendered with autoescaping; the URL fetcher lets them load only
our own static files.
"""

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse


class DocumentRenderError(Exception):
    """WeasyPrint could not produce the PDF (for example, the template asked for a refused URL)."""


def verify_url(document) -> str:
    path = reverse("documents:verify", args=[document.verification_code])
    return settings.SITE_URL.rstrip("/") + path


def verification_footer_context(document) -> dict:
    """What the running footer of every page prints: the code, where to check it, and a QR code."""
    url = verify_url(document)
    qr = segno.make(url, error="m", micro=False)
    return {
        "verification_code": document.verification_code,
        "verify_url": url,
        "qr_svg_data_uri": qr.svg_data_uri(scale=4, border=0, dark="#212b32"),
    }


def document_html(template_name: str, context: dict, *, document) -> str:
    """Render a print template that extends documents/pdf/base.html, with the footer filled in."""
    return render_to_string(
        template_name,
        {**verification_footer_context(document), "document": document, **context},
    )


def pdf_from_html(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .fetcher import StaticFilesOnlyURLFetcher, static_base_url

    try:
        return HTML(
            string=html, base_url=static_base_url(), url_fetcher=StaticFilesOnlyURLFetcher()
        ).write_pdf()
    except FatalURLFetchingError as error:
        # BaseException in WeasyPrint; turned into an ordinary error so the task can retry or fail.
        cause = error.__cause__ or error
        raise DocumentRenderError(f"{error}: {cause}") from cause
