"""Fixtures for the security tests: one account per persona, signed in without the form."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pytest
from flask.testing import FlaskClient

from tracker.accounts import services
from tracker.accounts.models import User
from tracker.accounts.passwords import hash_password
from tracker.extensions import db

PERSONAS = ("anonymous", "trainee", "other_trainee", "supervisor", "staff", "admin")
PERSONA_ROLES = {
    "trainee": ("trainee",),
    "other_trainee": ("trainee",),
    "supervisor": ("supervisor",),
    "staff": ("staff",),
    "admin": ("staff", "admin"),
}


@lru_cache(maxsize=1)
def _shared_hash() -> str:
    """One hash for every persona: hashing is slow on purpose, and these tests do not sign in
    through the form."""
    return hash_password("persona passphrase never typed")


@dataclass
class Personas:
    """The persona accounts of one test (anonymous has none)."""

    users: dict[str, User]

    def user(self, name: str) -> User | None:
        """The persona's account, None for anonymous."""
        return self.users.get(name)

    def sign_in(self, client: FlaskClient, name: str) -> None:
        """Open a server-side session for the persona and give its token to `client`."""
        user = self.users.get(name)
        if user is None:
            return
        token = services.start_session(user, "persona")
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True


@pytest.fixture
def personas(app) -> Personas:
    """A trainee, another trainee, a supervisor, a staff member and an administrator."""
    users = {}
    for name, roles in PERSONA_ROLES.items():
        user = User(
            email=f"{name.replace('_', '.')}@example.org",
            full_name=name.replace("_", " ").title(),
            password_hash=_shared_hash(),
        )
        for role in roles:
            setattr(user, f"is_{role}", True)
        db.session.add(user)
        users[name] = user
    db.session.commit()
    return Personas(users)


class Boom(RuntimeError):
    """The error the failing routes raise."""


BOOM_DETAIL = "boom: internal detail 0xDEADBEEF"


@pytest.fixture
def failing_app(make_app):
    """An app with routes that fail: one at once, one after writing an account."""
    from tracker.security.access import Anyone
    from tracker.security.access import allow

    app = make_app()

    @app.get("/boom")
    @allow(Anyone)
    def boom():
        raise Boom(BOOM_DETAIL)

    @app.post("/boom-after-write")
    @allow(Anyone)
    def boom_after_write():
        db.session.add(User(email="half.done@example.org", full_name="Half Done"))
        db.session.flush()
        raise Boom(BOOM_DETAIL)

    return app
