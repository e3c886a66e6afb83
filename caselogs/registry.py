"""What apps above the logbook show beside a case (its page, the verification queue): each
registers a provider in its ``AppConfig.ready``, asked once for a page's cases, so a list costs one
query per provider whatever its length. Reconciliation (issue 16) shows the hospital list's state.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .models import Case


@dataclass(frozen=True)
class CaseTag:
    """A state to show beside the supervisor's decision: its words, an NHS.UK tag colour
    (``green``, ``blue``, ``orange``, ``grey``...) and what it is about ("Hospital list")."""

    subject: str
    label: str
    colour: str
    help_text: str = ""


CaseTagProvider = Callable[[list[int]], dict[int, CaseTag]]
_providers: list[CaseTagProvider] = []


def register_case_tags(provider: CaseTagProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def case_tags_attach(cases: Iterable[Case]) -> None:
    """Set ``case.extra_tags`` (a list of CaseTag) on each case, one call per provider."""
    cases = list(cases)
    ids = [case.pk for case in cases]
    found = [provider(ids) for provider in _providers] if ids else []
    for case in cases:
        case.extra_tags = [tags[case.pk] for tags in found if case.pk in tags]  # type: ignore[attr-defined]  # for the templates
