"""Checks that signatures and the content they signed are as they were written."""

from .models import GENESIS_HASH, Signature, SignoffRequest, content_digest
from .registry import handler_for


def signoff_integrity_problems() -> list[str]:
    problems = []
    previous_by_request: dict[int, str] = {}
    for signature in Signature.objects.order_by("request_id", "sequence").iterator(chunk_size=1000):
        expected_previous = previous_by_request.get(signature.request_id, GENESIS_HASH)
        if signature.previous_hash != expected_previous:
            problems.append(
                f"signature {signature.pk} on request {signature.request_id} does not follow "
                "the signature before it (a signature was removed or replaced)"
            )
        if signature.compute_hash() != signature.hash:
            problems.append(
                f"signature {signature.pk} by {signature.signer_name} on request "
                f"{signature.request_id} was changed after it was made"
            )
        previous_by_request[signature.request_id] = signature.hash
    for request in SignoffRequest.objects.filter(status=SignoffRequest.Status.APPROVED).iterator():
        problems.extend(_subject_problems(request))
    return problems


def _subject_problems(request: SignoffRequest) -> list[str]:
    problems = []
    if content_digest(request.content) != request.digest:
        problems.append(f"request {request.pk} ({request.title}): its stored content was changed")
    subject = request.subject
    if subject is None:
        return problems + [f"request {request.pk} ({request.title}): its subject was deleted"]
    current = content_digest(handler_for(request.kind).content(subject))
    if current != request.digest:
        problems.append(
            f"request {request.pk} ({request.title}): the signed content was changed after signing"
        )
    return problems


def signoff_request_integrity_problems(request: SignoffRequest) -> list[str]:
    """The same checks for one request, for its page."""
    problems = []
    previous = GENESIS_HASH
    for signature in request.signatures.order_by("sequence"):
        if signature.previous_hash != previous or signature.compute_hash() != signature.hash:
            problems.append(f"The signature of {signature.signer_name} was altered.")
        previous = signature.hash
    if request.status == SignoffRequest.Status.APPROVED:
        problems.extend(_subject_problems(request))
    return problems
