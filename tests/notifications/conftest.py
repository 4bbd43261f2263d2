"""Fixtures for the notification tests: the sign-off tests' people (a trainee with an admitted
enrollment, their assigned supervisor, staff) and a look at a person's notices."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.signoffs.conftest import as_user  # noqa: F401 (fixtures shared with sign-offs)
from tests.signoffs.conftest import enrollment  # noqa: F401
from tests.signoffs.conftest import staff  # noqa: F401
from tests.signoffs.conftest import supervisor  # noqa: F401
from tests.signoffs.conftest import trainee  # noqa: F401
from tracker.extensions import db
from tracker.notifications.models import Notice


@pytest.fixture
def notices_of():
    """`notices_of(person)`: their notices as committed, oldest first."""

    def read(person) -> list[Notice]:
        db.session.expire_all()
        return list(
            db.session.scalars(
                select(Notice).where(Notice.person_id == person.id).order_by(Notice.id)
            )
        )

    return read
