"""Each role's home is an inbox: what is waiting for this person. Higher apps (sign-offs, the
logbook) contribute sections here from their AppConfig.ready, so accounts never imports them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import User


@dataclass(frozen=True)
class InboxItem:
    text: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class InboxGroup:
    """A titled list of links, for a section that needs no template of its own
    (``GROUPS_TEMPLATE``): what it holds, what it says when empty, and a link to the rest."""

    title: str
    items: list[InboxItem]
    empty: str
    more_text: str = ""
    more_url: str = ""


GROUPS_TEMPLATE = "accounts/partials/inbox_groups.html"


@dataclass(frozen=True)
class InboxSection:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    count: int = 0


_providers: list[Callable[[User], InboxSection | None]] = []


def register_inbox_section(provider: Callable[[User], InboxSection | None]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def inbox_sections_for(user: User) -> list[InboxSection]:
    return [section for provider in _providers if (section := provider(user)) is not None]
