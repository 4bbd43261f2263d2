"""Fixtures of the certificate tests: staff, a trainee ready for a certificate, and a helper
that issues one through the service."""

from __future__ import annotations

import pytest

from tests.certificates.factories import ready_enrollment
from tests.conftest import PASSWORD
from tracker.certificates import services
from tracker.extensions import db


@pytest.fixture
def staff(create_user):
    """A staff member."""
    return create_user("staff", name="Morgan Staff", email="staff@example.org")


@pytest.fixture
def trainee(create_user):
    """A trainee."""
    return create_user("trainee", name="Jordan Avery", email="jordan.avery@example.org")


@pytest.fixture
def ready(trainee):
    """The trainee's enrollment with nothing left before the certificate."""
    return ready_enrollment(trainee)


@pytest.fixture
def issue(staff):
    """`issue(enrollment, expires_on=None)`: issue through the service and commit."""

    def do(enrollment, expires_on=None):
        cert = services.issue_certificate(enrollment.id, staff, expires_on, password=PASSWORD)
        db.session.commit()
        return cert

    return do


@pytest.fixture
def certificate(ready, issue):
    """The ready trainee's issued certificate."""
    return issue(ready)
