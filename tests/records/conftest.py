"""Fixtures for the trainee record and transcript tests: the sign-off tests' people (a trainee
with an admitted enrollment, their assigned supervisor, another supervisor, staff)."""

from __future__ import annotations

from tests.signoffs.conftest import as_user  # noqa: F401 - fixtures shared with the sign-off tests
from tests.signoffs.conftest import enrollment  # noqa: F401
from tests.signoffs.conftest import other_supervisor  # noqa: F401
from tests.signoffs.conftest import staff  # noqa: F401
from tests.signoffs.conftest import supervisor  # noqa: F401
from tests.signoffs.conftest import trainee  # noqa: F401
