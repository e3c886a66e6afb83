"""The status timeline shown on an agreement: what happened to this version, in order."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from signoffs.models import SignoffRequest

from .models import AgreementVersion


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    title: str
    detail: str = ""
    tone: str = "secondary"


def agreement_timeline(
    version: AgreementVersion, requests: Sequence[SignoffRequest]
) -> list[TimelineEntry]:
    entries = [TimelineEntry(version.created_at, f"Version {version.number} drafted")]
    for request in reversed(requests):
        entries.append(
            TimelineEntry(request.created_at, "Submitted for signature", request.title, "primary")
        )
        for step in request.steps.all():
            signature = getattr(step, "signature", None)
            if signature is None:
                continue
            declined = signature.decision == "decline"
            entries.append(
                TimelineEntry(
                    signature.signed_at,
                    f"{'Declined' if declined else 'Signed'} by {signature.signer_name}",
                    step.label if not declined else f"{step.label}: {signature.reason}",
                    "danger" if declined else "success",
                )
            )
        if request.status == "void" and request.closed_at:
            entries.append(
                TimelineEntry(request.closed_at, "Request void", request.outcome_reason, "danger")
            )
    if version.activated_at:
        entries.append(
            TimelineEntry(version.activated_at, "In force: every party has signed", "", "success")
        )
    if version.closed_at:
        label = {
            "superseded": "Superseded by a signed amendment",
            "ended_early": "Ended early",
            "completed": "Completed: the trainee reached independent practice",
        }.get(version.status, "Closed")
        entries.append(TimelineEntry(version.closed_at, label, version.end_reason, "dark"))
    return sorted(entries, key=lambda e: e.when)
