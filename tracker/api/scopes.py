"""What a personal access token may do: its scopes, and the roles each scope needs.

A token carries scopes; each request it makes is allowed only the scopes that its owner's roles
allow at that moment, so a token never grants more than the person could do on the pages today.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# scope -> (what it lets a token do, the roles of which the owner needs one)
SCOPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "read_own": (
        "Read your own account, enrollment, progress, entries and certificates",
        ("trainee", "supervisor", "staff", "admin"),
    ),
    "write_own": (
        "Log, change and delete your own didactic, experiential, CE and session entries",
        ("trainee",),
    ),
    "read_program": (
        "Read the program: the supervisor's queue, the cohort list, every certificate",
        ("supervisor", "staff"),
    ),
    "import_hours": ("Import didactic attendance for the program", ("staff",)),
    "manage_certificates": ("Read and manage the program's certificates", ("staff",)),
}


def allowed_scopes(user: Any) -> frozenset[str]:
    """The scopes that `user`'s current roles allow (none for a deactivated account)."""
    if user is None or not getattr(user, "active", False):
        return frozenset()
    return frozenset(
        scope for scope, (_label, roles) in SCOPES.items() if any(user.has_role(r) for r in roles)
    )


def effective_scopes(user: Any, granted: Iterable[str]) -> frozenset[str]:
    """What a token granted `granted` may do now for `user`: the granted scopes its owner's
    roles still allow."""
    return frozenset(granted) & allowed_scopes(user)
