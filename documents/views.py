import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organisation

from .codes import verification_code_normalise
from .credential_check import credential_check
from .credential_keys import CredentialKeyError, jwks_document
from .credential_status import issuer_profile, status_list_token
from .credentials import CredentialError, credential_for_document
from .forms import (
    CredentialCheckForm,
    VerifyUploadForm,
    upload_too_large_message,
    verify_upload_limit_bytes,
)
from .selectors import (
    credential_status_from_site,
    document_check_upload,
    document_get_for_user,
    document_issued_by_code,
)

logger = logging.getLogger(__name__)

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


@require_GET
def jwks(request):
    """Public: the keys credentials are signed with, the retired ones too (README, rotation)."""
    response = JsonResponse(jwks_document())
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def credential_issuer(request, issuer_id):
    """Public: the issuing organisation's Open Badges profile (the credentials' ``issuer.id``)."""
    issuer = get_object_or_404(Organisation, pk=issuer_id)
    response = JsonResponse(issuer_profile(issuer))
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def credential_status_list(request, issuer_id):
    """Public, at a stable URL: the issuer's Bitstring Status List, signed afresh."""
    issuer = get_object_or_404(Organisation, pk=issuer_id)
    try:
        token = status_list_token(issuer)
    except CredentialKeyError as error:
        logger.error("Cannot sign the status list: %s", error)
        return HttpResponse(
            "The status list cannot be signed now.", status=503, content_type="text/plain"
        )
    response = HttpResponse(token, content_type="application/vc+jwt")
    # Short: a revocation must reach verifiers within minutes.
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_http_methods(["GET", "POST"])
def credential_check_page(request):
    """Public: upload or paste a credential; its signature, issuer and status in plain words."""
    result = None
    if request.method == "POST":
        form = CredentialCheckForm(request.POST, request.FILES)
        if form.is_valid():
            result = credential_check(
                form.cleaned_data["credential"], resolve=credential_status_from_site
            )
    else:
        form = CredentialCheckForm()
    return render(request, "documents/credential_check.html", {"form": form, "result": result})


@login_required
@require_GET
def credential_download(request, pk):
    """The document's verifiable credential, issued the first time it is asked for."""
    document = document_get_for_user(user=request.user, pk=pk)
    if not document.has_credential:
        raise Http404("Documents of this kind have no credential.")
    try:
        credential = credential_for_document(document=document, actor=request.user)
    except (CredentialError, CredentialKeyError) as error:
        logger.warning("No credential for document %s: %s", document.pk, error)
        return render(
            request,
            "documents/credential_unavailable.html",
            {
                "document": document,
                # A configuration problem is the administrators' to know, not the visitor's.
                "reason": str(error)
                if isinstance(error, CredentialError)
                else "The credential cannot be issued just now. Please try again later.",
            },
            status=409 if isinstance(error, CredentialError) else 503,
        )
    filename = f"{slugify(document.title or document.kind)}-{document.verification_code}.jwt"
    response = HttpResponse(credential.token, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
