"""Builders of programs, tracks, requirement sets and cohorts."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.factories import added
from tracker.factories import day
from tracker.factories import next_number
from tracker.programs import services
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.progress.requirements import RequirementSpec
from tracker.progress.requirements import default_dict

ONLINE = (("Online", "online", 450_000),)


def spec_data(track_format: str = "online", **changes: Any) -> dict[str, Any]:
    """The default requirements (the retreat format's totals for a retreat) plus `changes`,
    checked so that a bad spec fails where it is written."""
    data = default_dict()
    if track_format == "retreat":
        data["didactic_total_hours"] = "90"
        data["experiential_total_hours"] = "50"
    data.update(changes)
    RequirementSpec.from_dict(data)
    return data


def make_program(
    name: str | None = None,
    tracks: tuple[tuple[str, str, int], ...] = ONLINE,
    cohorts: tuple[tuple[str, int, int], ...] = (("Next", 30, 300),),
    timezone: str = "UTC",
    note: str = "",
    **spec_changes: Any,
) -> Program:
    """A program in `timezone` with `tracks` (name, format, tuition cents), each with version 1
    of the default requirements plus `spec_changes`, and `cohorts` (name, starts in days, ends in
    days)."""
    program = Program(name=name or f"Program {next_number()}", timezone=timezone, description="")
    db.session.add(program)
    for track_name, track_format, cents in tracks:
        track = Track(program=program, name=track_name, format=track_format, tuition_cents=cents)
        content = json.dumps(spec_data(track_format, **spec_changes))
        db.session.add(RequirementSet(track=track, version=1, content=content, note=note))
    for cohort_name, start, end in cohorts:
        db.session.add(
            Cohort(
                program=program,
                name=cohort_name,
                starts_on=day(start, timezone),
                ends_on=day(end, timezone),
            )
        )
    db.session.flush()
    return program


def add_version(track: Track, note: str = "Changed", **spec_changes: Any) -> RequirementSet:
    """The track's next requirement-set version, with `spec_changes` over the defaults."""
    data = default_dict()
    data.update(spec_changes)
    newest = max(rs.version for rs in track.requirement_sets)
    return added(
        RequirementSet(track=track, version=newest + 1, content=json.dumps(data), note=note)
    )


def open_program(
    name: str,
    description: str,
    timezone: str,
    tracks: tuple[tuple[str, str, int], ...],
    cohorts: tuple[tuple[str, date, date], ...],
    staff: User,
    today: date,
    credential: str = "",
) -> tuple[Program, dict[str, Track], list[Cohort]]:
    """A program set up as staff set one up, through the program services: each track with its
    format's default requirements and the `credential` it leads to (blank: the program's
    default), and the cohorts (name, start, end)."""
    program = services.create_program(name, description, timezone, staff)
    made = {
        track_format: services.add_track(
            program,
            track_name,
            track_format,
            cents,
            f"The {track_format} format of the certificate.",
            credential,
            staff,
        )
        for track_name, track_format, cents in tracks
    }
    groups = [
        services.add_cohort(program, cohort_name, starts_on, ends_on, staff, today)
        for cohort_name, starts_on, ends_on in cohorts
    ]
    return program, made, groups
