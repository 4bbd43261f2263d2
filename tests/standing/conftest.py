"""Fixtures for the program-selection tests: a signed-in trainee."""

from __future__ import annotations

import pytest


@pytest.fixture
def trainee(create_user):
    """A trainee account."""
    return create_user("trainee", name="Tara Trainee", email="tara@example.org")


@pytest.fixture
def signed_in(client, auth, trainee):
    """The client, signed in as the trainee."""
    auth.login(trainee)
    return client
