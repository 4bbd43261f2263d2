"""Builders of accounts."""

from __future__ import annotations

from tracker.accounts.models import User
from tracker.factories import added


def make_user(
    email: str, name: str, roles: tuple[str, ...] = (), password_hash: str | None = None, **values
) -> User:
    """An account with `roles` (trainee, supervisor, staff, admin)."""
    user = User(
        email=email,
        full_name=name,
        password_hash=password_hash,
        **values,
    )
    for role in roles:
        setattr(user, f"is_{role}", True)
    return added(user)
