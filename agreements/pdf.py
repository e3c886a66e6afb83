"""The signed agreement as a PDF: every term, the criteria with sources, the signature page."""

from documents.models import GeneratedDocument
from documents.pdf import document_html
from documents.registry import DocumentKind
from signoffs.models import SignoffRequest
from signoffs.selectors import signoff_requests_for_subject

from .models import AgreementVersion
from .selectors import agreement_version_for_display
from .services import DOCUMENT_KIND

# Version 2: quantities pluralised ("1 session a week", not "1 sessions per week").
TEMPLATE_VERSION = "agreement-pdf-2"


def render_agreement_html(version: AgreementVersion, document: GeneratedDocument) -> str:
    shown = agreement_version_for_display(agreement=version.agreement, number=version.number)
    assert shown is not None  # a number was given: the selector answers 404 rather than None
    version = shown
    approved = next(
        (
            r
            for r in signoff_requests_for_subject(version)
            if r.status == SignoffRequest.Status.APPROVED
        ),
        None,
    )
    signatures = (
        [step.signature for step in approved.steps.all() if hasattr(step, "signature")]
        if approved
        else []
    )
    criteria = list(version.criteria.all())
    return document_html(
        "agreements/pdf/agreement.html",
        {
            "version": version,
            "agreement": version.agreement,
            "trainee": version.agreement.trainee,
            "phase_one_criteria": [c for c in criteria if c.phase == 1],
            "phase_two_criteria": [c for c in criteria if c.phase == 2],
            "signoff": approved,
            "signatures": sorted(signatures, key=lambda s: s.sequence),
            "template_version": TEMPLATE_VERSION,
        },
        document=document,
    )


def agreement_document_kind() -> DocumentKind:
    return DocumentKind(
        key=DOCUMENT_KIND,
        label="Signed training agreement",
        render_html=render_agreement_html,
        person_name=lambda version: version.agreement.trainee.full_name,
        may_download=lambda user, version: user.has_perm(
            "agreements.see_agreement", version.agreement
        ),
        template_version=TEMPLATE_VERSION,
        title=lambda version: (
            f"Signed training agreement {version.agreement.reference}, version {version.number}"
        ),
    )
