"""Fixtures for the API tests: people with tokens, and a client that sends a token."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.training.factories import make_enrollment
from tracker.api.scopes import allowed_scopes
from tracker.api.services import create_token
from tracker.extensions import db


@pytest.fixture
def token_for(app) -> Callable[..., str]:
    """`token_for(user, *scopes)`: a new token's secret (every scope the roles allow when none
    is named)."""

    def make(user, *scopes: str, name: str = "Test token") -> str:
        new = create_token(user, name, scopes or allowed_scopes(user))
        db.session.commit()
        return new.secret

    return make


def bearer(secret: str) -> dict[str, str]:
    """The header that carries a token."""
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def trainee(create_user):
    """A trainee account."""
    return create_user("trainee", name="Tara Trainee")


@pytest.fixture
def enrollment(trainee):
    """The trainee's admitted enrollment with the default requirements."""
    return make_enrollment(trainee)
