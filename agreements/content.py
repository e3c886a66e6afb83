"""The canonical content of an agreement version: what a signature is bound to.

Everything a signer agrees to is here, read from the database, so that a term changed by any
route after signing (even raw SQL) changes the digest and shows as an integrity failure. Free text
enters as a commitment (privacy/commitments.py), never as itself: the signed content then holds no
copy of what a person wrote, and a redacted term still gives the digest that was signed.
"""

from typing import Any

from accounts.models import Organisation, User
from audit.redaction import committed_text

from .models import AgreementVersion


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "name": user.full_name, "gmc_number": user.gmc_number}


def _organisation(org: Organisation | None) -> dict[str, Any] | None:
    return {"id": org.pk, "name": org.name, "country": org.country} if org else None


def agreement_version_content(version: AgreementVersion) -> dict:
    version = (
        AgreementVersion.objects.select_related(
            "agreement__trainee",
            "employer",
            "employer_directorate",
            "training_centre",
            "centre_directorate",
            "governance_lead",
        )
        .prefetch_related("supervisors__supervisor", "criteria")
        .get(pk=version.pk)
    )
    content = {
        "agreement": version.agreement.reference,
        "version": version.number,
        "supersedes_version": version.supersedes.number if version.supersedes is not None else None,
        "trainee": _person(version.agreement.trainee),
        "employer": _organisation(version.employer),
        "employer_directorate": version.employer_directorate.name,
        "training_centre": _organisation(version.training_centre),
        "centre_directorate": version.centre_directorate.name
        if version.centre_directorate
        else None,
        "supervisors": [
            {**_person(s.supervisor), "lead": s.is_lead}
            for s in sorted(version.supervisors.all(), key=lambda s: s.supervisor_id)
        ],
        "start_date": version.start_date.isoformat(),
        "expected_duration_months": version.expected_duration_months,
        "review_dates": list(version.review_dates),
        "sessions_per_week": str(version.sessions_per_week),
        "arrangements": sorted(version.arrangements),
        "backfill_trainee_service": committed_text(version, "backfill_trainee_service"),
        "backfill_trainee_sessions": str(version.backfill_trainee_sessions),
        "backfill_centre": committed_text(version, "backfill_centre"),
        "backfill_centre_sessions": str(version.backfill_centre_sessions),
        "job_plan_confirmed": version.job_plan_confirmed,
        "service_protection_confirmed": version.service_protection_confirmed,
        "independence_local_terms": committed_text(version, "independence_local_terms"),
        "audit_frequency_months": version.audit_frequency_months,
        "governance_lead": _person(version.governance_lead),
        "criteria": [
            c.as_content()
            for c in sorted(version.criteria.all(), key=lambda c: (c.phase, c.position, c.pk))
        ],
    }
    # Added after agreements were first signed: present only when set, so that the fingerprint of
    # a version signed before the term existed is unchanged.
    if version.minimum_mt_per_year is not None:
        content["minimum_mt_per_year"] = version.minimum_mt_per_year
    return content
