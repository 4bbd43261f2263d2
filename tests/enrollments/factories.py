"""The selection tests' builders: tracker.factories, committed for use between requests."""

from __future__ import annotations

from datetime import date

from tracker.core.clock import today_in
from tracker.factories import committing, count, enrollments, programs  # noqa: F401

make_program = committing(programs.make_program)
enroll = committing(enrollments.enroll)


def today() -> date:
    """Today where the test programs are (UTC)."""
    return today_in("UTC")
