"""Free text stays in its own row (issue: privacy by construction).

Until now signed content, signature hashes and several copies held the text people wrote: a
return's reason in the request's snapshot, its sign-off content and step meanings, the phase
history and a revoked certificate; a decline's reason in the signature's meaning, the request's
outcome and the agreement's "returned" note. From now on those hold the app's own words, and what
is signed commits to an HMAC of the text (privacy/commitments.py). This migration brings existing
rows to that form, once: it rewrites the copies, replaces free text inside stored sign-off content
by its commitment, and re-takes each request's digest and each signature chain. Signers' decisions,
times and names are unchanged. The functions are frozen copies of the ones the app uses, so the
migration does the same thing whatever the code later becomes.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations

AGREEMENT_TEXT_KEYS = ("backfill_trainee_service", "backfill_centre", "independence_local_terms")
CRITERION_TEXT_KEYS = ("description", "source")
DECLINE_MEANING = "I decline to sign, for the reason I give."
GENESIS_HASH = "0" * 64
COMMITMENT_PREFIX = "hmac-sha256:"


def _commit(text):
    if isinstance(text, str) and text.startswith(COMMITMENT_PREFIX) and len(text) == 76:
        return text
    key = settings.TEXT_COMMITMENT_KEY.encode()
    return COMMITMENT_PREFIX + hmac.new(key, (text or "").encode(), hashlib.sha256).hexdigest()


def _digest(content):
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()
    return hashlib.sha256(canonical).hexdigest()


def _committed_content(kind, content):
    content = json.loads(json.dumps(content))
    if kind == "agreement_version":
        for key in AGREEMENT_TEXT_KEYS:
            if key in content:
                content[key] = _commit(content[key])
        for criterion in content.get("criteria", []):
            for key in CRITERION_TEXT_KEYS:
                if key in criterion:
                    criterion[key] = _commit(criterion[key])
    elif kind == "phase_progression":
        if "reason" in content:
            content["reason"] = _commit(content["reason"])
        snapshot = content.get("snapshot") or {}
        snapshot.pop("reason", None)
        content["snapshot"] = snapshot
    return content


def _signature_hash(signature):
    return _digest(
        {
            "request_id": signature.request_id,
            "step_id": signature.step_id,
            "sequence": signature.sequence,
            "signer_id": signature.signer_id,
            "signer_name": signature.signer_name,
            "signer_gmc_number": signature.signer_gmc_number,
            "signed_as": signature.signed_as,
            "decision": signature.decision,
            "reason": _commit(signature.reason),
            "meaning": signature.meaning,
            "signed_at": signature.signed_at.isoformat(timespec="microseconds"),
            "authentication": signature.authentication,
            "digest_seen": signature.digest_seen,
            "previous_hash": signature.previous_hash,
        }
    )


def forwards(apps, schema_editor):
    SignoffRequest = apps.get_model("signoffs", "SignoffRequest")
    SignoffStep = apps.get_model("signoffs", "SignoffStep")
    Signature = apps.get_model("signoffs", "Signature")
    ProgressionRequest = apps.get_model("phases", "ProgressionRequest")
    PhaseRecord = apps.get_model("phases", "PhaseRecord")
    AgreementVersion = apps.get_model("agreements", "AgreementVersion")
    GeneratedDocument = apps.get_model("documents", "GeneratedDocument")

    returns = ProgressionRequest.objects.filter(kind="return")
    for request in returns:
        if "reason" in (request.snapshot or {}):
            snapshot = dict(request.snapshot)
            snapshot.pop("reason")
            ProgressionRequest.objects.filter(pk=request.pk).update(snapshot=snapshot)
    for record in PhaseRecord.objects.exclude(reason=""):
        # Approved returns copied their reason here; the request keeps it.
        if not record.reason.endswith(" approved") and "(request " not in record.reason:
            PhaseRecord.objects.filter(pk=record.pk).update(
                reason="Return to an earlier phase approved"
            )
    for document in GeneratedDocument.objects.filter(revoked_reason__contains=": "):
        GeneratedDocument.objects.filter(pk=document.pk).update(
            revoked_reason=document.revoked_reason.split(": ", 1)[0]
        )

    for request in SignoffRequest.objects.all():
        content = _committed_content(request.kind, request.content)
        digest = _digest(content)
        fields = {"content": content, "digest": digest}
        if request.status == "declined":
            declined = Signature.objects.filter(request=request, decision="decline").first()
            if declined is not None:
                fields["outcome_reason"] = (
                    f"Declined by {declined.signer_name} as {declined.signed_as}."
                )
        SignoffRequest.objects.filter(pk=request.pk).update(**fields)
        if request.kind == "phase_progression":
            for step in SignoffStep.objects.filter(request=request, meaning__contains=": "):
                if " returns to " in step.meaning:
                    SignoffStep.objects.filter(pk=step.pk).update(
                        meaning=step.meaning.split(": ", 1)[0]
                        + ", for the reason given in the request."
                    )
        previous = GENESIS_HASH
        for signature in Signature.objects.filter(request=request).order_by("sequence"):
            signature.digest_seen = (
                digest if signature.digest_seen == request.digest else signature.digest_seen
            )
            if signature.decision == "decline":
                signature.meaning = DECLINE_MEANING
            else:
                signature.meaning = SignoffStep.objects.get(pk=signature.step_id).meaning
            signature.previous_hash = previous
            signature.hash = _signature_hash(signature)
            Signature.objects.filter(pk=signature.pk).update(
                digest_seen=signature.digest_seen,
                meaning=signature.meaning,
                previous_hash=signature.previous_hash,
                hash=signature.hash,
            )
            previous = signature.hash
            if signature.decision == "decline" and request.kind == "phase_progression":
                ProgressionRequest.objects.filter(pk=request.subject_id).update(
                    outcome_reason=f"Declined by {signature.signer_name} ({signature.signed_as})."
                )
            if signature.decision == "decline" and request.kind == "agreement_version":
                AgreementVersion.objects.filter(pk=request.subject_id, status="draft").update(
                    returned_reason=f"{signature.signer_name} ({signature.signed_as}) declined on "
                    f"{signature.signed_at:%-d %b %Y}."
                )


class Migration(migrations.Migration):
    dependencies = [
        ("phases", "0002_guard_free_text"),
        ("signoffs", "0002_guard_signature_reason"),
        ("agreements", "0004_guard_free_text"),
        ("documents", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
