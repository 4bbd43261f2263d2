"""The ledger and assessment tests' builders: tracker.factories, committed for use between
requests, in a Los Angeles program whose track is named after the program's number."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.accounts.models import User
from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment
from tracker.factories import committing
from tracker.factories import count  # noqa: F401
from tracker.factories import enrollments
from tracker.factories import next_number

TIMEZONE = "America/Los_Angeles"
TUITION = 450_000
assign = committing(enrollments.assign)


@committing
def make_enrollment(
    trainee: User,
    *,
    tuition_cents: int = TUITION,
    status: str = "admitted",
    timezone: str = TIMEZONE,
    spec: dict[str, Any] | None = None,
    with_track: bool = True,
) -> Enrollment:
    """A new program (own name) with a track and cohort, and the trainee enrolled in it."""
    return enrollments.make_enrollment(
        trainee,
        status,
        timezone,
        cohort_ends_in_days=200,
        track_name=f"Online {next_number()}" if with_track else None,
        tuition_cents=tuition_cents,
        **(spec or {}),
    )


def local_today() -> date:
    """Today in the test programs' time zone."""
    return today_in(TIMEZONE)
