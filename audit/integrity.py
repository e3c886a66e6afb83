"""Integrity checks beyond the audit chain, registered by the apps that own the data.

A lower app cannot import a higher one, so each higher app registers a check here (in its
AppConfig.ready) and ``audit_verify`` runs them all. A check returns a list of problems, each a
sentence naming the record; an empty list means intact.
"""

from collections.abc import Callable

_checks: dict[str, Callable[[], list[str]]] = {}


def register_integrity_check(name: str, check: Callable[[], list[str]]) -> None:
    _checks[name] = check


def integrity_problems() -> list[str]:
    problems: list[str] = []
    for name, check in sorted(_checks.items()):
        problems.extend(f"{name}: {problem}" for problem in check())
    return problems
