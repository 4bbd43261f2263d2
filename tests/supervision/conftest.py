"""Fixtures for the supervision tests: an admitted trainee signed in on the client."""

from __future__ import annotations

import pytest

from tests.training.factories import make_enrollment


@pytest.fixture
def trainee(create_user):
    """A trainee account."""
    return create_user("trainee", name="Tara Trainee")


@pytest.fixture
def enrollment(trainee):
    """The trainee's admitted enrollment with the default requirements."""
    return make_enrollment(trainee)


@pytest.fixture
def signed_in(client, auth, trainee, enrollment):
    """The client, signed in as the admitted trainee."""
    auth.login(trainee)
    return client
