"""Named reads of programs, tracks, cohorts and requirement-set versions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track


def programs_overview() -> list[Program]:
    """Every program by name, with its tracks (and their versions) and cohorts loaded."""
    stmt = (
        select(Program)
        .order_by(Program.name)
        .options(
            selectinload(Program.tracks).selectinload(Track.requirement_sets),
            selectinload(Program.cohorts),
        )
    )
    return list(db.session.scalars(stmt))


def program(program_id: int) -> Program | None:
    """The program with this id, its tracks and cohorts loaded, or None."""
    stmt = (
        select(Program)
        .where(Program.id == program_id)
        .options(
            selectinload(Program.tracks).selectinload(Track.requirement_sets),
            selectinload(Program.cohorts),
        )
    )
    return db.session.scalar(stmt)


def track(track_id: int) -> Track | None:
    """The track with this id (and its program), or None."""
    return db.session.get(Track, track_id)


def cohort(cohort_id: int) -> Cohort | None:
    """The cohort with this id (and its program), or None."""
    return db.session.get(Cohort, cohort_id)


def version(track_id: int, number: int) -> RequirementSet | None:
    """Version `number` of the track's requirement set, or None."""
    return db.session.scalar(
        select(RequirementSet).where(
            RequirementSet.track_id == track_id, RequirementSet.version == number
        )
    )


def version_history(track_id: int) -> list[tuple[RequirementSet, User | None]]:
    """Every version of the track's requirement set, newest first, with the person who made it."""
    stmt = (
        select(RequirementSet, User)
        .outerjoin(User, User.id == RequirementSet.created_by_id)
        .where(RequirementSet.track_id == track_id)
        .order_by(RequirementSet.version.desc())
    )
    return [(row[0], row[1]) for row in db.session.execute(stmt)]
