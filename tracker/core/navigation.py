"""The navigation bar: each area registers its links with the rule that shows them."""

from __future__ import annotations

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


def register(label: str, endpoint: str, rule: Rule, order: int = 50) -> None:
    """Add (or replace) the link to `endpoint`."""
    _LINKS[endpoint] = NavLink(order, label, endpoint, rule)


def links_for(user) -> list[tuple[str, str]]:
    """(label, endpoint) pairs for the person, in order."""
    if not user.is_authenticated:
        return [("Sign in", "accounts.login"), ("Apply", "accounts.register")]
    visible = [link for link in _LINKS.values() if link.rule.allows(user)]
    return [(link.label, link.endpoint) for link in sorted(visible, key=lambda x: x.order)]
