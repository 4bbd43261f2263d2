"""Fixtures for the account tests: quick hashing, a controllable clock and row counts."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func
from sqlalchemy import select

from tracker.accounts import passwords
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.extensions import utcnow

# The production hasher: the library's recommended argon2id parameters.
REAL_HASHER = PasswordHasher()
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
QUICK_DUMMY_HASH = QUICK_HASHER.hash("a dummy password that nobody has")
# What the sign-in form says to a wrong password, an unknown address and a locked account alike.
REFUSED = (
    "The e-mail or password is not correct, or sign-in is paused for 15 minutes after 5 failed "
    "attempts. You can reset your password."
)


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash with cheap argon2id parameters: these tests are about behaviour, not hashing cost.

    Tests of the real parameters ask for `real_hashing`.
    """
    monkeypatch.setattr(passwords, "_hasher", QUICK_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", QUICK_DUMMY_HASH)


@pytest.fixture
def real_hashing(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """The production hasher and its parameters."""
    monkeypatch.setattr(passwords, "_hasher", REAL_HASHER)
    return REAL_HASHER


class Clock:
    """A clock the account services read instead of the real one; `advance()` moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward by a timedelta's keyword arguments."""
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze the time the account services see at the real current time."""
    frozen = Clock(utcnow())
    monkeypatch.setattr("tracker.accounts.services.utcnow", frozen)
    monkeypatch.setattr("tracker.extensions.utcnow", frozen)
    return frozen


def row_counts() -> tuple[int, int]:
    """(accounts, audit events) as the database holds them now."""
    db.session.rollback()
    users = db.session.scalar(select(func.count()).select_from(User))
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    return users, events


def reload(user: User) -> User:
    """The account as the database holds it now (not the test's cached copy)."""
    db.session.rollback()
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh is not None
    return fresh
