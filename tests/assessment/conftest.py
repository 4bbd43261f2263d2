"""Fixtures of the assessment tests: staff, a trainee's admitted enrollment, its supervisor."""

from __future__ import annotations

import pytest

from tests.assessment.factories import assessable
from tests.finance.factories import assign


@pytest.fixture
def staff(create_user):
    """A staff member."""
    return create_user("staff", name="Sam Staff")


@pytest.fixture
def trainee(create_user):
    """A trainee."""
    return create_user("trainee", name="Terry Trainee")


@pytest.fixture
def enrollment(trainee):
    """The trainee's admitted enrollment under the default requirements (pass mark 80, 3
    attempts, eight competency domains), its training waived: the final assessment is open."""
    return assessable(trainee)


@pytest.fixture
def supervisor(create_user, enrollment):
    """The enrollment's assigned primary supervisor."""
    person = create_user("supervisor", name="Pat Supervisor")
    assign(enrollment, person)
    return person


@pytest.fixture
def as_staff(client, auth, staff):
    """The client, signed in as staff."""
    auth.login(staff)
    return client
