"""The completion certificate: the clear statement, signed, that training is complete; and what
its verifiable credential claims (documents/credentials.py signs and lists it)."""

from accounts.models import Organisation
from agreements.models import TrainingAgreement
from documents.credentials import CredentialContent, CredentialError
from documents.models import GeneratedDocument
from documents.pdf import document_html, verify_url
from documents.registry import DocumentKind
from signoffs.selectors import signoff_requests_for_subject

from .models import Phase, ProgressionRequest
from .selectors import phase_history, version_in_force

TEMPLATE_VERSION = "certificate-2"
CERTIFICATE_KIND = "completion_certificate"


def render_certificate_html(request: ProgressionRequest, document: GeneratedDocument) -> str:
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


def _phase_one_snapshot(agreement: TrainingAgreement) -> list[dict]:
    approved = (
        ProgressionRequest.objects.filter(
            agreement=agreement, kind=ProgressionRequest.Kind.ADVANCE, status="approved"
        )
        .order_by("-decided_at")
        .first()
    )
    return approved.snapshot.get("criteria", []) if approved else []


ACHIEVEMENT_ID = "urn:irtraining:achievement:independent-stroke-thrombectomy"


def _criteria_narrative(title: str, criteria: list[dict]) -> str:
    rows = [
        f"- {c['description']}: required {c['required']}, achieved {c['current']}" for c in criteria
    ]
    return "\n".join([f"**{title}**", *rows])


def certificate_credential(
    request: ProgressionRequest, document: GeneratedDocument
) -> CredentialContent:
    """The credential's claims: the trainee's name and GMC number, the achievement, and evidence
    (phase dates, criteria met, the agreement and certificate references). No patient data: the
    criteria's evidence (case ids) stays out."""
    agreement = request.agreement
    version = version_in_force(agreement)
    if version is None:
        raise CredentialError("The agreement has no version in force to name the issuer.")
    trainee = agreement.trainee
    employer = version.employer  # the issuer, as for the PDF (certificate_issuer)
    phases = [
        f"- {Phase(record.phase).label}: from {record.started_on:%Y-%m-%d}"
        + (f" to {record.ended_on:%Y-%m-%d}" if record.ended_on else "")
        for record in phase_history(agreement)
    ]
    criteria = [
        _criteria_narrative("Phase 1 (direct supervision)", _phase_one_snapshot(agreement)),
        _criteria_narrative("Phase 2 (indirect supervision)", request.snapshot.get("criteria", [])),
    ]
    return CredentialContent(
        issuer=employer,
        name="Completion certificate: independent stroke thrombectomy",
        subject_name=trainee.full_name,
        subject_gmc_number=trainee.gmc_number,
        achievement={
            "id": ACHIEVEMENT_ID,
            "achievementType": "License",
            "name": "Independent stroke thrombectomy (consultant interventional radiologist)",
            "description": "Completed training in mechanical thrombectomy for acute ischaemic "
            "stroke, and may start independent stroke thrombectomy as a consultant "
            f"interventional radiologist at {employer.name}.",
            "criteria": {
                "narrative": "Every criterion of the training agreement met on verified "
                "evidence, and independence countersigned by the lead supervisor, a second "
                "INR, the clinical director and the medical director of the principal "
                "training hospital, and acknowledged by the governance lead."
            },
        },
        evidence=[
            {
                "id": verify_url(document),
                "name": f"Completion certificate {document.verification_code}",
                "description": "The sealed PDF certificate; its verification page says whether "
                "it still stands.",
                "genre": "Certificate",
            },
            {
                "name": f"Training agreement {agreement.reference}",
                "description": f"Version {version.number}: employer {employer.name}, training "
                f"centre {version.training_centre.name}.",
                "genre": "Training agreement",
            },
            {"name": "Phase dates", "genre": "Phase history", "narrative": "\n".join(phases)},
            {
                "name": "Criteria met",
                "genre": "Criteria",
                "narrative": "\n\n".join(criteria),
            },
        ],
    )


def certificate_issuer(request: ProgressionRequest) -> Organisation | None:
    version = version_in_force(request.agreement)
    return version.employer if version is not None else None


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
        credential=certificate_credential,
        # The employing trust issues both the certificate and its credential: its own seal key
        # seals the PDF when it has one (DOCUMENT_SEAL_PKCS12_DIR), the programme's otherwise.
        issuer=certificate_issuer,
        title=lambda request: (
            f"Completion certificate: independent stroke thrombectomy, "
            f"{request.agreement.reference}"
        ),
    )
