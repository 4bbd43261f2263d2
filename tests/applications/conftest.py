"""Fixtures for the application tests: a trainee with an applicant enrollment, signed in."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.enrollments.factories import enroll


@pytest.fixture
def trainee(create_user):
    """A trainee account."""
    return create_user("trainee", name="Tara Trainee", email="tara@example.org")


@pytest.fixture
def enrollment(trainee):
    """The trainee's applicant enrollment on a track with the default requirements."""
    return enroll(trainee)


@pytest.fixture
def signed_in(client, auth, trainee, enrollment):
    """The client, signed in as the applicant."""
    auth.login(trainee)
    return client


@pytest.fixture
def other(create_user):
    """A second trainee with an applicant enrollment of their own."""
    user = create_user("trainee", name="Otto Other", email="otto@example.org")
    enroll(user)
    return user


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


def submitted(enrollment) -> None:
    """Mark the enrollment as submitted (directly)."""
    from tracker.extensions import db
    from tracker.extensions import utcnow

    enrollment.status = "submitted"
    enrollment.submitted_at = utcnow()
    db.session.commit()
