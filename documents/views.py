from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from .codes import verification_code_normalise
from .forms import VerifyUploadForm, upload_too_large_message, verify_upload_limit_bytes
from .selectors import document_check_upload, document_get_for_user, document_issued_by_code

# Room for the multipart envelope and the CSRF field around a file of the largest allowed size.
_UPLOAD_ENVELOPE_BYTES = 64 * 1024


def _request_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > verify_upload_limit_bytes() + _UPLOAD_ENVELOPE_BYTES


@require_http_methods(["GET", "POST"])
def verify(request, code):
    """Public: what the document is, for whom, when it was issued, whether it still stands."""
    canonical = verification_code_normalise(code)
    if canonical and canonical != code and request.method == "GET":
        return redirect("documents:verify", code=canonical)
    document = document_issued_by_code(code)
    if document is None:
        return render(request, "documents/verify_not_found.html", {"code": code}, status=404)

    form = VerifyUploadForm()
    matches = None
    seal = None
    checked_name = ""
    too_large = ""
    if request.method == "POST":
        if _request_too_large(request):
            # Refused from the header, before the upload is read.
            too_large = upload_too_large_message()
        else:
            form = VerifyUploadForm(request.POST, request.FILES)
            if form.is_valid():
                checked_name = form.cleaned_data["file"].name
                checked = document_check_upload(document, form.cleaned_data["file"])
                matches, seal = checked.matches, checked.seal
    return render(
        request,
        "documents/verify.html",
        {
            "document": document,
            "form": form,
            "matches": matches,
            "seal": seal,
            "checked_name": checked_name,
            "too_large": too_large,
        },
    )


@login_required
@require_GET
def download(request, pk):
    document = document_get_for_user(user=request.user, pk=pk)
    if not document.is_ready:
        raise Http404("This document is not ready.")
    filename = f"{slugify(document.title or document.kind)}-{document.verification_code}.pdf"
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def status(request, pk):
    """The htmx fragment that polls while the PDF is produced; a small page without htmx."""
    document = document_get_for_user(user=request.user, pk=pk)
    is_htmx = request.headers.get("HX-Request") == "true"
    template = "documents/partials/status.html" if is_htmx else "documents/document_status.html"
    response = render(request, template, {"document": document})
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["HX-Request"])
    return response
