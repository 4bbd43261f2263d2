"""Fixtures for the sign-off tests: a trainee with an admitted enrollment, their assigned
supervisor (with valid credentials), another supervisor, and staff."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.signoffs.factories import give_credentials
from tests.training.factories import assign
from tests.training.factories import make_enrollment


@pytest.fixture
def trainee(create_user):
    """A trainee account."""
    return create_user("trainee", name="Tara Trainee")


@pytest.fixture
def enrollment(trainee):
    """The trainee's admitted enrollment."""
    return make_enrollment(trainee)


@pytest.fixture
def supervisor(create_user, enrollment):
    """The trainee's primary supervisor, with a verified licence and insurance."""
    person = create_user("supervisor", name="Dr. Sue Signer")
    give_credentials(person)
    assign(enrollment, person)
    return person


@pytest.fixture
def other_supervisor(create_user):
    """A supervisor with valid credentials who does not supervise the trainee."""
    person = create_user("supervisor", name="Dr. Otto Other")
    give_credentials(person)
    return person


@pytest.fixture
def staff(create_user):
    """A staff member."""
    return create_user("staff", name="Stella Staff")


@pytest.fixture
def as_user(app):
    """`as_user(user)`: a new client signed in as `user`."""

    def make(user):
        client = app.test_client()
        login(client, user)
        return client

    return make
