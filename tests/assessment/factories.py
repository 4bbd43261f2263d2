"""Builders of the assessment tests: an admitted enrollment whose final assessment is open."""

from __future__ import annotations

from typing import Any

from tests.finance.factories import make_enrollment
from tracker.accounts.models import User
from tracker.enrollments.models import Enrollment
from tracker.factories.enrollments import waive_steps


def assessable(trainee: User, **kwargs: Any) -> Enrollment:
    """An admitted enrollment (see `make_enrollment`) whose training steps 5-7 are waived, so
    the engine says the final assessment is open."""
    enrollment = make_enrollment(trainee, **kwargs)
    waive_steps(enrollment, 5, 6, 7, reason="Equivalent training elsewhere.")
    return enrollment
