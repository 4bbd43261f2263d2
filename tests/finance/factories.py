"""Builders for ledger and assessment tests: a program with one track, cohort and requirement
set, and a trainee's enrollment in it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from tracker.accounts.models import User
from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment, SupervisorAssignment
from tracker.extensions import db
from tracker.programs.models import Cohort, Program, RequirementSet, Track
from tracker.programs.services import spec_content
from tracker.progress.requirements import RequirementSpec, default_dict

TIMEZONE = "America/Los_Angeles"
TUITION = 450_000
_numbers = itertools.count(1)


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
    n = next(_numbers)
    program = Program(name=f"Program {n}", timezone=timezone)
    track = None
    requirements = None
    if with_track:
        track = Track(
            program=program, name=f"Online {n}", format="online", tuition_cents=tuition_cents
        )
        data = default_dict()
        data.update(spec or {})
        requirements = RequirementSet(
            track=track, version=1, content=spec_content(RequirementSpec.from_dict(data))
        )
    today = today_in(timezone)
    cohort = Cohort(
        program=program,
        name=f"Cohort {n}",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=200),
    )
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program=program,
        track=track,
        cohort=cohort,
        status=status,
        pinned_requirements=requirements if status == "admitted" else None,
    )
    db.session.add_all([program, cohort, enrollment])
    db.session.commit()
    return enrollment


def assign(enrollment: Enrollment, supervisor: User, kind: str = "primary") -> SupervisorAssignment:
    """Assign a supervisor to the enrollment."""
    assignment = SupervisorAssignment(
        enrollment_id=enrollment.id, supervisor_id=supervisor.id, kind=kind
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def count(model: type) -> int:
    """How many rows the table holds."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def local_today() -> date:
    """Today in the test programs' time zone."""
    return today_in(TIMEZONE)
