"""Fixtures for the admissions tests: a signed-in staff member, a trainee with a submitted
application, and supervisors."""

from __future__ import annotations

import pytest

from tests.admissions.factories import enroll
from tests.admissions.factories import make_program
from tests.admissions.factories import waive_reviews


@pytest.fixture
def trainee(create_user):
    """An applicant."""
    return create_user("trainee", name="Tara Applicant", email="tara@example.org")


@pytest.fixture
def supervisor(create_user):
    """A supervisor."""
    return create_user("supervisor", name="Dr. Sam Super", email="sam@example.org")


@pytest.fixture
def program(app):
    """A program with one track (requirements version 1) and a cohort."""
    return make_program()


@pytest.fixture
def submitted(trainee, program):
    """The trainee's application, submitted three days ago."""
    return enroll(trainee, program, "submitted", days_ago=3)


@pytest.fixture
def reviewed(submitted):
    """The submitted application with its reviews waived: ready to admit."""
    waive_reviews(submitted)
    return submitted


@pytest.fixture
def as_staff(client, auth, staff):
    """The client, signed in as staff."""
    auth.login(staff)
    return client
