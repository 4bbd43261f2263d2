"""Builders for the selection and application tests: programs with tracks, requirement sets and
cohorts, and enrollments in a chosen state; rows inserted directly."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.programs.models import Cohort, Program, RequirementSet, Track
from tracker.progress.requirements import RequirementSpec, default_dict

_numbers = itertools.count(1)


def today() -> date:
    """Today where the test programs are (UTC)."""
    return today_in("UTC")


def make_program(
    name: str | None = None,
    tracks: tuple[tuple[str, str, int], ...] = (("Online", "online", 450_000),),
    cohorts: tuple[tuple[str, int, int], ...] = (("Next", 30, 300),),
    **spec_changes: Any,
) -> Program:
    """A program in UTC with `tracks` (name, format, tuition cents), each with the default
    requirements plus `spec_changes`, and `cohorts` (name, starts in days, ends in days)."""
    n = next(_numbers)
    program = Program(name=name or f"Program {n}", timezone="UTC", description="")
    db.session.add(program)
    for track_name, track_format, cents in tracks:
        data = default_dict()
        data.update(spec_changes)
        if track_format == "retreat":
            data["didactic_total_hours"] = "90"
            data["experiential_total_hours"] = "50"
        RequirementSpec.from_dict(data)  # fail early on a bad test spec
        track = Track(program=program, name=track_name, format=track_format, tuition_cents=cents)
        db.session.add(RequirementSet(track=track, version=1, content=json.dumps(data)))
    for cohort_name, start, end in cohorts:
        db.session.add(
            Cohort(
                program=program,
                name=cohort_name,
                starts_on=today() + timedelta(days=start),
                ends_on=today() + timedelta(days=end),
            )
        )
    db.session.commit()
    return program


def enroll(
    trainee, program: Program | None = None, status: str = "applicant", **spec
) -> Enrollment:
    """An enrollment of `trainee` in `program` (a new one when None) on its first track and
    cohort."""
    program = program or make_program(**spec)
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program_id=program.id,
        track_id=program.tracks[0].id,
        cohort_id=program.cohorts[0].id,
        status=status,
    )
    db.session.add(enrollment)
    db.session.commit()
    return enrollment


def count(model) -> int:
    """How many rows of `model` exist."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))
