"""The staff cohort view: every enrollment's nine statuses, filtered, sorted and paged.

It reads the stored progress snapshots (`tracker.standing.snapshots`) and never writes: every
filter (program, cohort, enrollment status, supervisor, step status, item code, who must act),
the sort and the paging are SQL over them. A row whose snapshot is out of date (a write since
the last refresh, or computed before the program's today) is computed in memory for the
response and marked as updating; it was filtered and sorted on its stored verdict, which may
be yesterday's until `flask progress refresh` runs. The number of queries does not depend on
the number of enrollments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import Select
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.core.search import contains
from tracker.enrollments.models import ENROLLMENT_STATUSES
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.enrollments.models import ProgressSnapshotCode
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import Track
from tracker.standing.snapshots import LETTERS
from tracker.standing.snapshots import current_values
from tracker.standing.snapshots import out_of_date
from tracker.standing.snapshots import program_zones
from tracker.standing.snapshots import status_names

SORTS = {
    "name": "Name",
    "blocking": "Most blocking items",
    "due": "Next due date",
    "progress": "Least progress",
    "cohort": "Cohort",
}
BATCH = 1000  # CSV rows read (and out-of-date rows computed) at a time
STEP_STATUSES = ("not_started", "in_progress", "complete", "waived", "blocked")
ACTORS = ("trainee", "supervisor", "staff")
# What people read for each code the filters and the CSV carry (the CSV keeps the codes too).
STEP_STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "waived": "Waived",
    "blocked": "Blocked",
}
ACTOR_LABELS = {"trainee": "The trainee", "supervisor": "The supervisor", "staff": "Staff"}
ENROLLMENT_STATUS_LABELS = {
    "applicant": "Applicant",
    "submitted": "Application submitted",
    "admitted": "Admitted",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}


@dataclass(frozen=True)
class CohortFilters:
    """What the staff member asked for (already validated)."""

    program_id: int | None = None
    cohort_id: int | None = None
    status: str | None = None
    state: str | None = None
    supervisor_id: int | None = None
    step: int | None = None
    step_status: str | None = None
    item_code: str | None = None
    actor: str | None = None
    sort: str = "name"
    # Part of the trainee's name or e-mail address (any case); blank: everyone.
    text: str = ""


@dataclass(frozen=True)
class CohortRow:
    """One enrollment on the page, with its stored progress."""

    id: int
    trainee_name: str
    trainee_email: str
    program_name: str
    track_name: str | None
    cohort_name: str | None
    status: str
    steps: tuple[str, ...] | None
    blocking: int
    next_due_on: date | None
    codes: tuple[str, ...]
    updating: bool = False
    state: str = ""


def _sql_filters(filters: CohortFilters) -> list:
    conditions = []
    if filters.text:
        conditions.append(
            Enrollment.trainee_id.in_(
                select(User.id).where(contains(filters.text, User.full_name, User.email))
            )
        )
    if filters.program_id is not None:
        conditions.append(Enrollment.program_id == filters.program_id)
    if filters.cohort_id is not None:
        conditions.append(Enrollment.cohort_id == filters.cohort_id)
    if filters.status in ENROLLMENT_STATUSES:
        conditions.append(Enrollment.status == filters.status)
    if filters.supervisor_id is not None:
        conditions.append(
            Enrollment.id.in_(
                select(SupervisorAssignment.enrollment_id).where(
                    SupervisorAssignment.supervisor_id == filters.supervisor_id,
                    SupervisorAssignment.ended_at.is_(None),
                )
            )
        )
    return conditions


def _progress_filters(filters: CohortFilters) -> list:
    snap = ProgressSnapshot
    conditions = []
    if filters.state:
        conditions.append(snap.state == filters.state)
    if filters.step is not None or filters.actor:
        conditions.append(snap.steps != "")  # no track chosen: no step can match
    if filters.step is not None:
        letter = func.substr(snap.steps, filters.step, 1)
        if filters.step_status:
            conditions.append(letter == LETTERS[filters.step_status])
        else:
            conditions.append(letter.not_in((LETTERS["complete"], LETTERS["waived"])))
    if filters.item_code:
        # Through the code rows' primary key, without reading the snapshots: a LIKE over
        # `codes` read every one. A snapshot has codes only with a verdict, whose nine steps
        # it stores with them (`columns`), so no track chosen means no code either.
        conditions.append(
            Enrollment.id.in_(
                select(ProgressSnapshotCode.enrollment_id).where(
                    ProgressSnapshotCode.code == filters.item_code
                )
            )
        )
    if filters.actor:
        conditions.append(snap.actors.contains(f" {filters.actor} ", autoescape=True))
    return conditions


def _order(filters: CohortFilters) -> list:
    snap = ProgressSnapshot
    name = func.lower(User.full_name)
    if filters.sort == "blocking":
        return [snap.blocking.desc(), name, Enrollment.id]
    if filters.sort == "due":
        undated = case((snap.next_due_on.is_(None), 1), else_=0)
        return [undated, snap.next_due_on, name, Enrollment.id]
    if filters.sort == "progress":
        return [func.coalesce(snap.fraction, 0.0), User.full_name, Enrollment.id]
    if filters.sort == "cohort":
        return [func.coalesce(Cohort.name, ""), name, Enrollment.id]
    return [name, Enrollment.id]


def _matching(filters: CohortFilters, *columns) -> Select:
    """`columns` of the enrollments the filters match, outer-joined to their snapshots and to
    nothing else: every enrollment has its trainee and program (required keys), so joining
    them would not change which rows match, only what each row costs to read."""
    return (
        select(*columns)
        .select_from(Enrollment)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
        .where(*_sql_filters(filters), *_progress_filters(filters))
    )


def _rows_query(filters: CohortFilters, zones: dict[str, list[int]]) -> Select:
    return (
        select(
            Enrollment.id,
            User.full_name,
            User.email,
            Program.name,
            Track.name,
            Cohort.name,
            Enrollment.status,
            ProgressSnapshot.steps,
            ProgressSnapshot.blocking,
            ProgressSnapshot.next_due_on,
            ProgressSnapshot.codes,
            out_of_date(zones).label("updating"),
            ProgressSnapshot.state,
        )
        .join(User, User.id == Enrollment.trainee_id)
        .join(Program, Program.id == Enrollment.program_id)
        .outerjoin(Track, Track.id == Enrollment.track_id)
        .outerjoin(Cohort, Cohort.id == Enrollment.cohort_id)
        .outerjoin(ProgressSnapshot, ProgressSnapshot.enrollment_id == Enrollment.id)
        .where(*_sql_filters(filters), *_progress_filters(filters))
    )


def _page_ids(filters: CohortFilters, page: int, per_page: int) -> Select:
    """The ids of one page of the matching enrollments, sorted, joined only to what the sort
    reads (so that sorting thousands of rows moves their ids, not whole rows)."""
    query = _matching(filters, Enrollment.id).join(User, User.id == Enrollment.trainee_id)
    if filters.sort == "cohort":
        query = query.outerjoin(Cohort, Cohort.id == Enrollment.cohort_id)
    return query.order_by(*_order(filters)).limit(per_page).offset((page - 1) * per_page)


def _row(values, current: dict[int, dict]) -> CohortRow:
    (id_, name, email, program, track, cohort, status, steps, blocking, due, codes, updating) = (
        values[:12]
    )
    state = values[12]
    now = current.get(id_) if updating else None
    if now is not None:
        steps, blocking, due, codes, state = (
            now["steps"],
            now["blocking"],
            now["next_due_on"],
            now["codes"],
            now["state"],
        )
    return CohortRow(
        id=id_,
        trainee_name=name,
        trainee_email=email,
        program_name=program,
        track_name=track,
        cohort_name=cohort,
        status=status,
        steps=status_names(steps or ""),
        blocking=blocking or 0,
        next_due_on=due,
        codes=tuple((codes or "").split()),
        updating=bool(updating),
        state=state or "",
    )


def _rows(batch) -> list[CohortRow]:
    """The rows of one batch, those out of date computed now (in memory, nothing stored)."""
    current = current_values([values[0] for values in batch if values[11]])
    return [_row(values, current) for values in batch]


def page_rows(filters: CohortFilters, page: int, per_page: int) -> list[CohortRow]:
    """One page of the matching enrollments, sorted as asked (one query; the rows of the page
    that are out of date are computed now, a fixed number of queries more).

    The page's ids are chosen by a subquery that sorts ids alone; the full rows are read for
    those ids only, in the same order (every order ends on a unique key, so it is the same).
    """
    ids = _page_ids(filters, page, per_page).correlate(None)
    query = _rows_query(CohortFilters(), program_zones()).where(Enrollment.id.in_(ids))
    return _rows(db.session.execute(query.order_by(*_order(filters))).all())


def matching(figures: dict[str, int], filters: CohortFilters) -> int:
    """How many enrollments match every filter, from `state_counts(filters)` (which counts
    them by life state, the state filter aside)."""
    if filters.state:
        return figures.get(filters.state, 0)
    return sum(figures.values())


def cohort_page(filters: CohortFilters, page: int, per_page: int) -> tuple[list[CohortRow], int]:
    """One page of the matching enrollments, sorted as asked, and how many match in all.

    Filtering, sorting and paging happen in SQL over the stored progress snapshots; the rows
    of the page that are out of date are computed now. The number of queries does not depend on
    the number of enrollments.
    """
    total = db.session.scalar(_matching(filters, func.count()))
    return page_rows(filters, page, per_page), total or 0


def state_counts(filters: CohortFilters) -> dict[str, int]:
    """How many of the enrollments the other filters match are in each life state (active, on
    leave, deferred, withdrawn, ...; "" for those without a snapshot yet), by their stored
    snapshots: one query, whatever the number of enrollments."""
    query = _matching(
        dataclasses.replace(filters, state=None), ProgressSnapshot.state, func.count()
    ).group_by(ProgressSnapshot.state)
    counts: dict[str, int] = {}
    for state, count in db.session.execute(query).all():
        counts[state or ""] = counts.get(state or "", 0) + count
    return counts


def cohort_rows(filters: CohortFilters) -> Iterator[CohortRow]:
    """Every matching enrollment with its progress, sorted as asked, read in batches (for the
    CSV, which streams them: 50,000 rows never sit in memory at once).

    The rows are read on a connection of their own, opened at the first row and closed after
    the last: Flask ends the request's session before it sends a streamed body, and on
    PostgreSQL the batches' server-side cursor went with that session's transaction. The rows
    of each batch that are out of date are computed in an application context of their own.
    """
    query = _rows_query(filters, program_zones()).order_by(*_order(filters))
    engine = db.engine
    app = current_app._get_current_object()

    def rows() -> Iterator[CohortRow]:
        with engine.connect() as connection:
            result = connection.execution_options(yield_per=BATCH).execute(query)
            for batch in result.partitions(BATCH):
                with app.app_context():
                    computed = _rows(batch)
                    db.session.remove()
                yield from computed

    return rows()
