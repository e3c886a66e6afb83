"""How a higher app adds to what an annual review freezes (the dependency runs governance ->
phases, so phases cannot ask governance directly).

A provider takes the agreement and returns a JSON-safe dict, merged into the review's snapshot;
governance registers the continued-practice judgements against the quality standards.
"""

from collections.abc import Callable
from typing import Any

_annual_review_providers: list[Callable[[object], dict]] = []


def register_annual_review_section(provider: Callable[[object], dict]) -> None:
    if provider not in _annual_review_providers:
        _annual_review_providers.append(provider)


def annual_review_sections(agreement: Any) -> dict:
    sections = {}
    for provider in _annual_review_providers:
        sections.update(provider(agreement))
    return sections
