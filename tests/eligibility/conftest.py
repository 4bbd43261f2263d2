"""Fixtures for the eligibility tests: a signed-in trainee, another trainee, staff."""

from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.fixture
def trainee(create_user):
    """A trainee account."""
    return create_user("trainee", name="Tara Trainee", email="tara@example.org")


@pytest.fixture
def signed_in(client, auth, trainee):
    """The client, signed in as the trainee."""
    auth.login(trainee)
    return client


@pytest.fixture
def other(create_user):
    """A second trainee."""
    return create_user("trainee", name="Otto Other", email="otto@example.org")


@pytest.fixture
def other_client(app, other):
    """A second client, signed in as the other trainee."""
    client = app.test_client()
    login(client, other)
    return client


@pytest.fixture
def staff_client(app, create_user):
    """A client signed in as staff."""
    staff = create_user("staff", name="Sam Staff", email="sam@example.org")
    client = app.test_client()
    login(client, staff)
    return client
