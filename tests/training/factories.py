"""The training and supervision tests' builders: tracker.factories, committed for use between
requests, with the defaults these tests take for granted (a UTC program, the requirements pinned
whatever the enrollment's status)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.enrollments.models import Enrollment
from tracker.factories import committing
from tracker.factories import count  # noqa: F401 - re-exported for the tests
from tracker.factories import enrollments
from tracker.factories import supervision
from tracker.factories import training
from tracker.factories.supervision import REFLECTION  # noqa: F401
from tracker.factories.training import yesterday  # noqa: F401

assign = committing(enrollments.assign)
add_didactic = committing(training.add_didactic)
add_experiential = committing(training.add_experiential)
add_ce = committing(training.add_ce)
add_session = committing(supervision.add_session)


@committing
def make_enrollment(
    trainee,
    status: str = "admitted",
    timezone: str = "UTC",
    cohort_started_days_ago: int = 60,
    **spec_changes: Any,
) -> Enrollment:
    """An enrollment of `trainee` in a new program whose requirements are the defaults plus
    `spec_changes` (pinned whatever the status); the cohort began `cohort_started_days_ago`
    days ago (program time)."""
    return enrollments.make_enrollment(
        trainee, status, timezone, cohort_started_days_ago, pin=True, **spec_changes
    )


def iso(day: date) -> str:
    """A date as a form field carries it."""
    return day.isoformat()
