"""Build the progress engine's facts from the database, for one enrollment or thousands.

Bulk by design: every record type is read with one statement over the selected enrollments (a
subquery, never a growing list of ids), so the number of queries is the same for 1 and for
10,000 enrollments. The enrollment, its program, track, cohort, requirement sets, waivers and
supervisor are read here; every other record type comes from the domain that owns it
(`contributors`). A list runs the statements one by one; a single enrollment
(`load_enrollment`) runs them as one combined statement (`combined`), built once per process.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.models import Waiver
from tracker.enrollments.models import waiver_last_day
from tracker.extensions import db
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.progress import facts as f
from tracker.progress.requirements import RequirementSpec
from tracker.standing.combined import Combined
from tracker.standing.contributors import Contributor
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contribute
from tracker.standing.contributors import contributors
from tracker.standing.contributors import statements


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


def _base(ids: Select) -> Select:
    """The enrollments with their trainee, program, track and cohort (not ordered)."""
    return (
        select(
            Enrollment.id,
            Enrollment.trainee_id,
            Enrollment.program_id,
            Enrollment.track_id,
            Enrollment.cohort_id,
            Enrollment.requirement_set_id,
            Enrollment.status,
            Enrollment.pathway,
            Enrollment.submitted_at,
            Enrollment.decided_at,
            User.full_name.label("trainee_name"),
            User.email.label("trainee_email"),
            Program.name.label("program_name"),
            Program.timezone,
            Track.name.label("track_name"),
            Track.format.label("track_format"),
            Track.tuition_cents,
            Cohort.name.label("cohort_name"),
            Cohort.starts_on,
            Cohort.ends_on,
        )
        .join(User, User.id == Enrollment.trainee_id)
        .join(Program, Program.id == Enrollment.program_id)
        .outerjoin(Track, Track.id == Enrollment.track_id)
        .outerjoin(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Enrollment.id.in_(ids))
    )


def _requirement_sets(ids: Select) -> Select:
    """Each pinned requirement set and each track's newest, with their content."""
    pinned = select(Enrollment.requirement_set_id).where(Enrollment.id.in_(ids))
    tracks = select(Enrollment.track_id).where(Enrollment.id.in_(ids))
    newest = (
        select(func.max(RequirementSet.id))
        .where(RequirementSet.track_id.in_(tracks))
        .group_by(RequirementSet.track_id)
    )
    return select(RequirementSet.id, RequirementSet.track_id, RequirementSet.content).where(
        or_(RequirementSet.id.in_(pinned), RequirementSet.id.in_(newest))
    )


def _waivers(ids: Select) -> Select:
    """The unrevoked waivers (not ordered: `_enrollment_records` takes them in id order)."""
    return select(
        Waiver.enrollment_id,
        Waiver.id,
        Waiver.target,
        Waiver.reason,
        Waiver.ends_on,
        Waiver.ended_on,
    ).where(Waiver.enrollment_id.in_(ids), Waiver.revoked_at.is_(None))


def _assignments(ids: Select) -> Select:
    """The enrollments with a primary supervisor assigned now."""
    return (
        select(SupervisorAssignment.enrollment_id)
        .where(
            SupervisorAssignment.enrollment_id.in_(ids),
            SupervisorAssignment.ended_at.is_(None),
            SupervisorAssignment.kind == "primary",
        )
        .distinct()
    )


def _statements(ids: Select) -> list[Select]:
    """Everything the facts are made of: the enrollments (first), their own records, then every
    contributor's statements."""
    return [
        _base(ids),
        _requirement_sets(ids),
        _waivers(ids),
        _assignments(ids),
        *statements(Selection(ids)),
    ]


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
    """Load every enrollment whose id the subquery selects, with facts and requirements, in id
    order (one statement per record type)."""
    base, *others = _statements(ids_subquery)
    base_rows = db.session.execute(base).all()
    if not base_rows:
        return []
    return _assemble(ids_subquery, base_rows, [db.session.execute(s).all() for s in others])


def load_enrollment(enrollment_id: int) -> LoadedEnrollment | None:
    """One enrollment, through the same statements combined into one query."""
    found = load_chosen([enrollment_id])
    return found[0] if found else None


def load_chosen(enrollment_ids: Sequence[int]) -> list[LoadedEnrollment]:
    """The enrollments of a list of ids (one page's, a refresh's chunk), in id order, through
    the same statements combined into one query whatever the number of ids."""
    if not enrollment_ids:
        return []
    combined = _combined()
    found = db.session.execute(combined.statement, {"enrollment_ids": list(enrollment_ids)})
    base_rows, *others = combined.split(found)
    if not base_rows:
        return []
    ids = select(Enrollment.id).where(Enrollment.id.in_(list(enrollment_ids)))
    return _assemble(ids, base_rows, others)


_COMBINED: dict[tuple[Contributor, ...], Combined] = {}


def _combined() -> Combined:
    """The combined statement of a list of enrollments (an expanding parameter), built once for
    the registered contributors."""
    key = contributors()
    combined = _COMBINED.get(key)
    if combined is None:
        chosen = bindparam("enrollment_ids", expanding=True)
        combined = Combined(_statements(select(Enrollment.id).where(Enrollment.id.in_(chosen))))
        _COMBINED.clear()
        _COMBINED[key] = combined
    return combined


def _assemble(
    ids: Select, base_rows: Sequence[Any], others: Sequence[Sequence[Any]]
) -> list[LoadedEnrollment]:
    """The loaded enrollments, in id order, from the rows of `_statements(ids)`."""
    base_rows = sorted(base_rows, key=lambda row: row.id)
    set_rows, waiver_rows, assignment_rows, *contributed_rows = others
    specs = {row.id: parse_spec(row.content) for row in set_rows}
    newest_by_track: dict[int, int] = {}
    for row in set_rows:
        # Each selected track's newest set is among the rows, so it is the track's highest id.
        if row.track_id is not None:
            newest_by_track[row.track_id] = max(row.id, newest_by_track.get(row.track_id, 0))
    selection = Selection(
        ids=ids,
        zones={row.id: row.timezone for row in base_rows},
        trainee_of={row.id: row.trainee_id for row in base_rows},
    )
    own = _enrollment_records(waiver_rows, assignment_rows)
    contributed = contribute(selection, contributed_rows)
    loaded = []
    for row in base_rows:
        spec_id = row.requirement_set_id or (
            newest_by_track.get(row.track_id) if row.track_id is not None else None
        )
        waivers, last_days, assigned = own.get(row.id, ({}, {}, False))
        facts = f.EnrollmentFacts(
            enrollment_id=row.id,
            status=row.status,
            applied_on=selection.local_date(row.id, row.submitted_at),
            admitted_on=(
                selection.local_date(row.id, row.decided_at) if row.status == "admitted" else None
            ),
            cohort_starts_on=row.starts_on,
            cohort_ends_on=row.ends_on,
            track=(
                f.Track(
                    format=row.track_format, tuition_cents=row.tuition_cents, name=row.track_name
                )
                if row.track_id is not None
                else None
            ),
            pathway=row.pathway,
            waivers=waivers,
            waiver_last_days=last_days,
            supervisor_assigned=assigned,
            **contributed.get(row.id, {}),
        )
        shown = EnrollmentRow(
            id=row.id,
            trainee_id=row.trainee_id,
            trainee_name=row.trainee_name,
            trainee_email=row.trainee_email,
            program_id=row.program_id,
            program_name=row.program_name,
            timezone=row.timezone,
            track_name=row.track_name,
            cohort_id=row.cohort_id,
            cohort_name=row.cohort_name,
            status=row.status,
        )
        loaded.append(LoadedEnrollment(row=shown, facts=facts, spec=specs.get(spec_id)))
    return loaded


def _enrollment_records(
    waiver_rows: Sequence[Any], assignment_rows: Sequence[Any]
) -> dict[int, tuple[dict[int | str, str], dict[int | str, date], bool]]:
    """What the enrollment itself holds: its unrevoked waivers (with the last day each applies,
    for the engine to weigh against today) and whether a primary supervisor is assigned."""
    waivers: dict[int, dict[int | str, str]] = defaultdict(dict)
    last_days: dict[int, dict[int | str, date]] = defaultdict(dict)
    for waiver in sorted(waiver_rows, key=lambda row: row.id):
        target = waiver.target
        key: int | str = target
        if target.startswith("step:") and target[5:].isdigit():
            key = int(target[5:])
        waivers[waiver.enrollment_id][key] = waiver.reason  # the latest grant wins
        last_days[waiver.enrollment_id].pop(key, None)
        last_day = waiver_last_day(waiver.ends_on, waiver.ended_on)
        if last_day is not None:
            last_days[waiver.enrollment_id][key] = last_day
    assigned = {row.enrollment_id for row in assignment_rows}
    return {
        enrollment_id: (
            waivers.get(enrollment_id, {}),
            last_days.get(enrollment_id, {}),
            enrollment_id in assigned,
        )
        for enrollment_id in set(waivers) | assigned
    }
