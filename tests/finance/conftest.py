"""Fixtures of the ledger tests: staff, a trainee enrolled in a program, and a signed-in client."""

from __future__ import annotations

import pytest

from tests.finance.factories import make_enrollment


@pytest.fixture
def staff(create_user):
    """A staff member."""
    return create_user("staff", name="Sam Staff")


@pytest.fixture
def trainee(create_user):
    """A trainee."""
    return create_user("trainee", name="Terry Trainee", email="terry@example.org")


@pytest.fixture
def enrollment(trainee):
    """The trainee's admitted enrollment (tuition $4,500.00)."""
    return make_enrollment(trainee)


@pytest.fixture
def as_staff(client, auth, staff):
    """The client, signed in as staff."""
    auth.login(staff)
    return client
