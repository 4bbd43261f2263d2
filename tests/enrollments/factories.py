"""The selection tests' builders: tracker.factories, committed for use between requests."""

from __future__ import annotations

from datetime import date

from tracker.core.clock import today_in
from tracker.factories import committing
from tracker.factories import count  # noqa: F401
from tracker.factories import enrollments
from tracker.factories import programs

make_program = committing(programs.make_program)
enroll = committing(enrollments.enroll)


def today() -> date:
    """Today where the test programs are (UTC)."""
    return today_in("UTC")
