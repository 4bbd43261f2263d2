"""Named reads of enrollments."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.base import ExecutableOption

from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track


def loaded_enrollment(enrollment_id: int, *options: ExecutableOption) -> Enrollment | None:
    """The enrollment with the trainee, program and track its pages name (and any further
    loader `options`), or None."""
    return db.session.scalar(
        select(Enrollment)
        .where(Enrollment.id == enrollment_id)
        .options(
            joinedload(Enrollment.trainee),
            joinedload(Enrollment.program),
            joinedload(Enrollment.track),
            *options,
        )
    )


def current_enrollment(trainee_id: int) -> Enrollment | None:
    """The trainee's enrollment that is not declined or withdrawn (newest first), if any."""
    stmt = (
        select(Enrollment)
        .where(Enrollment.trainee_id == trainee_id)
        .where(Enrollment.status.not_in(("declined", "withdrawn")))
        .options(
            joinedload(Enrollment.program),
            joinedload(Enrollment.track),
            joinedload(Enrollment.cohort),
            joinedload(Enrollment.pinned_requirements),
        )
        .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def enrollment_in_program(trainee_id: int, program_id: int) -> Enrollment | None:
    """The trainee's enrollment row in a program, whatever its status (one per program)."""
    return db.session.scalar(
        select(Enrollment).where(
            Enrollment.trainee_id == trainee_id, Enrollment.program_id == program_id
        )
    )


def programs_on_offer() -> list[Program]:
    """Every program with its tracks (and their requirement sets) and cohorts, by name."""
    stmt = (
        select(Program)
        .options(
            selectinload(Program.tracks).selectinload(Track.requirement_sets),
            selectinload(Program.cohorts),
        )
        .order_by(Program.name)
    )
    return list(db.session.scalars(stmt))


def open_cohorts(program: Program, today: date) -> list[Cohort]:
    """The program's cohorts that have not ended by `today`, earliest start first."""
    return [cohort for cohort in program.cohorts if cohort.ends_on >= today]


def current_enrollment_id(trainee_id: int) -> int | None:
    """The id of the trainee's current enrollment (one small query)."""
    stmt = (
        select(Enrollment.id)
        .where(Enrollment.trainee_id == trainee_id)
        .where(Enrollment.status.not_in(("declined", "withdrawn")))
        .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def withdrawn_enrollment_id(trainee_id: int) -> int | None:
    """The id of the trainee's latest withdrawn enrollment (one small query): what their home
    shows when no current one is left."""
    stmt = (
        select(Enrollment.id)
        .where(Enrollment.trainee_id == trainee_id, Enrollment.status == "withdrawn")
        .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def pinned_counts(track_id: int) -> dict[int, int]:
    """How many enrollments are pinned to each version of the track's requirement set, by id."""
    stmt = (
        select(Enrollment.requirement_set_id, func.count())
        .join(RequirementSet, RequirementSet.id == Enrollment.requirement_set_id)
        .where(RequirementSet.track_id == track_id)
        .group_by(Enrollment.requirement_set_id)
    )
    return {set_id: count for set_id, count in db.session.execute(stmt)}
