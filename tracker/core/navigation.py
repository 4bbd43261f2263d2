"""The navigation bar: each area registers its links with the rule that shows them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracker.security.access import Rule


@dataclass(frozen=True)
class NavLink:
    """A link in the navigation bar, shown to people the rule allows."""

    order: int
    label: str
    endpoint: str
    rule: Rule


_LINKS: dict[str, NavLink] = {}
# A number shown beside a link (the inbox's unread notices): a function of the signed-in
# person that reads no database (what it shows was read with the person).
_BADGES: dict[str, Callable[[object], int]] = {}


def register(label: str, endpoint: str, rule: Rule, order: int = 50) -> None:
    """Add (or replace) the link to `endpoint`."""
    _LINKS[endpoint] = NavLink(order, label, endpoint, rule)


def badge(endpoint: str, count: Callable[[object], int]) -> None:
    """Show `count(person)` beside the link to `endpoint` (when it is not 0)."""
    _BADGES[endpoint] = count


def badges_for(user, links: list[tuple[str, str]]) -> dict[str, int]:
    """{endpoint: number} for the person's links that carry a badge."""
    if not user.is_authenticated:
        return {}
    return {endpoint: _BADGES[endpoint](user) for _, endpoint in links if endpoint in _BADGES}


def links_for(user) -> list[tuple[str, str]]:
    """(label, endpoint) pairs for the person, in order."""
    if not user.is_authenticated:
        return [("Sign in", "accounts.login"), ("Apply", "accounts.register")]
    visible = [link for link in _LINKS.values() if link.rule.allows(user)]
    return [(link.label, link.endpoint) for link in sorted(visible, key=lambda x: x.order)]
