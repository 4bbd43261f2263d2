"""Build the progress engine's facts from the database, for one enrollment or thousands.

Bulk by design: every record type is read with one query over the selected enrollments (a
subquery, never a growing list of ids), so the number of queries is the same for 1 and for
10,000 enrollments. The enrollment, its program, track, cohort, waivers and supervisor are read
here; every other record type comes from the domain that owns it (`contributors`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.models import Waiver
from tracker.extensions import db
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.progress import facts as f
from tracker.progress.requirements import RequirementSpec
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contribute


@dataclass(frozen=True)
class EnrollmentRow:
    """What a list shows about an enrollment besides its progress."""

    id: int
    trainee_id: int
    trainee_name: str
    trainee_email: str
    program_id: int
    program_name: str
    timezone: str
    track_name: str | None
    cohort_id: int | None
    cohort_name: str | None
    status: str


@dataclass(frozen=True)
class LoadedEnrollment:
    """An enrollment's row, its facts and the requirement set it is judged against."""

    row: EnrollmentRow
    facts: f.EnrollmentFacts
    spec: RequirementSpec | None


def _specs(ids_subquery: Select) -> dict[int, RequirementSpec]:
    """Requirement sets by id: each pinned version and each track's newest version."""
    pinned = select(Enrollment.requirement_set_id).where(Enrollment.id.in_(ids_subquery))
    tracks = select(Enrollment.track_id).where(Enrollment.id.in_(ids_subquery))
    newest = (
        select(func.max(RequirementSet.id))
        .where(RequirementSet.track_id.in_(tracks))
        .group_by(RequirementSet.track_id)
    )
    rows = db.session.execute(
        select(RequirementSet.id, RequirementSet.track_id, RequirementSet.content).where(
            or_(RequirementSet.id.in_(pinned), RequirementSet.id.in_(newest))
        )
    ).all()
    specs: dict[int, RequirementSpec] = {}
    for row in rows:
        specs[row.id] = parse_spec(row.content)
    return specs


_SPEC_CACHE: dict[str, RequirementSpec] = {}


def parse_spec(content: str) -> RequirementSpec:
    """A requirement set's stored content as the engine reads it (parsed once per process:
    versions never change)."""
    spec = _SPEC_CACHE.get(content)
    if spec is None:
        spec = RequirementSpec.from_dict(json.loads(content))
        if len(_SPEC_CACHE) < 500:
            _SPEC_CACHE[content] = spec
    return spec


def load_enrollments(ids_subquery: Select) -> list[LoadedEnrollment]:
    """Load every enrollment whose id the subquery selects, with facts and requirements."""
    base = db.session.execute(
        select(
            Enrollment,
            User.full_name,
            User.email,
            Program.name,
            Program.timezone,
            Track,
            Cohort.name,
            Cohort.starts_on,
            Cohort.ends_on,
        )
        .join(User, User.id == Enrollment.trainee_id)
        .join(Program, Program.id == Enrollment.program_id)
        .outerjoin(Track, Track.id == Enrollment.track_id)
        .outerjoin(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.id.in_(ids_subquery))
        .order_by(Enrollment.id)
    ).all()
    if not base:
        return []
    specs = _specs(ids_subquery)
    newest_by_track = _newest_by_track(ids_subquery)
    selection = Selection(
        ids=ids_subquery,
        zones={row[0].id: row[4] for row in base},
        trainee_of={row[0].id: row[0].trainee_id for row in base},
    )
    own = _enrollment_records(ids_subquery)
    contributed = contribute(selection)
    loaded = []
    for enrollment, name, email, program_name, zone, track, cohort_name, starts, ends in base:
        spec_id = enrollment.requirement_set_id or (
            newest_by_track.get(track.id) if track is not None else None
        )
        waivers, last_days, assigned = own.get(enrollment.id, ({}, {}, False))
        facts = f.EnrollmentFacts(
            enrollment_id=enrollment.id,
            status=enrollment.status,
            applied_on=selection.local_date(enrollment.id, enrollment.submitted_at),
            admitted_on=(
                selection.local_date(enrollment.id, enrollment.decided_at)
                if enrollment.status == "admitted"
                else None
            ),
            cohort_starts_on=starts,
            cohort_ends_on=ends,
            track=(
                f.Track(format=track.format, tuition_cents=track.tuition_cents, name=track.name)
                if track is not None
                else None
            ),
            pathway=enrollment.pathway,
            waivers=waivers,
            waiver_last_days=last_days,
            supervisor_assigned=assigned,
            **contributed.get(enrollment.id, {}),
        )
        row = EnrollmentRow(
            id=enrollment.id,
            trainee_id=enrollment.trainee_id,
            trainee_name=name,
            trainee_email=email,
            program_id=enrollment.program_id,
            program_name=program_name,
            timezone=zone,
            track_name=track.name if track is not None else None,
            cohort_id=enrollment.cohort_id,
            cohort_name=cohort_name,
            status=enrollment.status,
        )
        loaded.append(LoadedEnrollment(row=row, facts=facts, spec=specs.get(spec_id)))
    return loaded


def _newest_by_track(ids_subquery: Select) -> dict[int, int]:
    tracks = select(Enrollment.track_id).where(Enrollment.id.in_(ids_subquery))
    rows = db.session.execute(
        select(RequirementSet.track_id, func.max(RequirementSet.id))
        .where(RequirementSet.track_id.in_(tracks))
        .group_by(RequirementSet.track_id)
    ).all()
    return {track_id: set_id for track_id, set_id in rows}


def _enrollment_records(
    ids: Select,
) -> dict[int, tuple[dict[int | str, str], dict[int | str, date], bool]]:
    """What the enrollment itself holds: its unrevoked waivers (with the last day each applies,
    for the engine to weigh against today) and whether a primary supervisor is assigned, one
    query each."""
    waivers: dict[int, dict[int | str, str]] = defaultdict(dict)
    last_days: dict[int, dict[int | str, date]] = defaultdict(dict)
    for waiver in db.session.scalars(
        select(Waiver)
        .where(Waiver.enrollment_id.in_(ids), Waiver.revoked_at.is_(None))
        .order_by(Waiver.id)
    ):
        target = waiver.target
        key: int | str = target
        if target.startswith("step:") and target[5:].isdigit():
            key = int(target[5:])
        waivers[waiver.enrollment_id][key] = waiver.reason  # the latest grant wins
        last_days[waiver.enrollment_id].pop(key, None)
        if waiver.last_day is not None:
            last_days[waiver.enrollment_id][key] = waiver.last_day
    assigned = set(
        db.session.scalars(
            select(SupervisorAssignment.enrollment_id)
            .where(
                SupervisorAssignment.enrollment_id.in_(ids),
                SupervisorAssignment.ended_at.is_(None),
                SupervisorAssignment.kind == "primary",
            )
            .distinct()
        )
    )
    return {
        enrollment_id: (
            waivers.get(enrollment_id, {}),
            last_days.get(enrollment_id, {}),
            enrollment_id in assigned,
        )
        for enrollment_id in set(waivers) | assigned
    }


def load_enrollment(enrollment_id: int) -> LoadedEnrollment | None:
    """One enrollment, through the same bulk path."""
    loaded = load_enrollments(select(Enrollment.id).where(Enrollment.id == enrollment_id))
    return loaded[0] if loaded else None
