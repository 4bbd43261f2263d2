"""Fixtures for an enrollment's life: a program with two tracks and three cohorts, an admitted
trainee on its running cohort, and staff."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.factories.enrollments import applied
from tracker.factories.programs import make_program
from tracker.programs.models import Program

TRACKS = (("Online", "online", 450_000), ("Hybrid", "hybrid", 600_000))
# name, starts in days, ends in days (from today)
COHORTS = (("Spring", -60, 240), ("Autumn", 120, 420), ("Ended", -400, -10))


def day(offset: int) -> date:
    """A date `offset` days from today (UTC, where the test program is)."""
    return today_in("UTC") + timedelta(days=offset)


def cohort_named(program: Program, name: str):
    """The program's cohort called `name`."""
    return next(c for c in program.cohorts if c.name == name)


def track_named(program: Program, name: str):
    """The program's track called `name`."""
    return next(t for t in program.tracks if t.name == name)


@pytest.fixture
def trainee(create_user):
    """A trainee."""
    return create_user("trainee", name="Tara Trainee", email="tara@example.org")


@pytest.fixture
def program(app):
    """The program: Online and Hybrid tracks, Spring (running), Autumn (later), Ended."""
    made = make_program("Life Program", tracks=TRACKS, cohorts=COHORTS)
    db.session.commit()
    return made


@pytest.fixture
def admitted(program, trainee, staff):
    """The trainee, admitted 50 days ago to Spring on the Online track (version 1)."""
    enrollment = applied(
        trainee,
        track_named(program, "Online"),
        cohort_named(program, "Spring"),
        "admitted",
        day(0),
        staff,
        submitted_on=day(-70),
        decided_on=day(-50),
    )
    db.session.commit()
    return enrollment
