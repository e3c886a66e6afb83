"""The completion certificate: the clear statement, signed, that training is complete."""

from documents.pdf import document_html
from documents.registry import DocumentKind
from signoffs.selectors import signoff_requests_for_subject

from .models import ProgressionRequest
from .selectors import phase_history, version_in_force

TEMPLATE_VERSION = "certificate-2"
CERTIFICATE_KIND = "completion_certificate"


def render_certificate_html(request, document) -> str:
    agreement = request.agreement
    signoff = next(r for r in signoff_requests_for_subject(request) if r.status == "approved")
    signatures = sorted(
        (step.signature for step in signoff.steps.all() if hasattr(step, "signature")),
        key=lambda s: s.sequence,
    )
    return document_html(
        "phases/pdf/certificate.html",
        {
            "request": request,
            "agreement": agreement,
            "trainee": agreement.trainee,
            "version": version_in_force(agreement),
            "phases": list(phase_history(agreement)),
            "criteria": request.snapshot.get("criteria", []),
            "phase_one_criteria": _phase_one_snapshot(agreement),
            "signoff": signoff,
            "signatures": signatures,
        },
        document=document,
    )


def _phase_one_snapshot(agreement) -> list[dict]:
    approved = (
        ProgressionRequest.objects.filter(
            agreement=agreement, kind=ProgressionRequest.Kind.ADVANCE, status="approved"
        )
        .order_by("-decided_at")
        .first()
    )
    return approved.snapshot.get("criteria", []) if approved else []


def certificate_document_kind() -> DocumentKind:
    return DocumentKind(
        key=CERTIFICATE_KIND,
        label="Completion certificate",
        render_html=render_certificate_html,
        person_name=lambda request: request.agreement.trainee.full_name,
        may_download=lambda user, request: user.has_perm(
            "agreements.see_agreement", request.agreement
        ),
        template_version=TEMPLATE_VERSION,
        title=lambda request: (
            f"Completion certificate: independent stroke thrombectomy, "
            f"{request.agreement.reference}"
        ),
    )
