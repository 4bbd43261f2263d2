"""The staff cohort view: every enrollment's nine statuses, filtered, sorted and paged.

It rests on the bulk loader: the SQL filters (program, cohort, enrollment status, supervisor)
narrow the subquery; the engine's filters (step status, item code, who must act) apply to the
computed progress. The number of queries does not depend on the number of enrollments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from tracker.core.clock import today_in
from tracker.enrollments.facts import LoadedEnrollment, load_enrollments
from tracker.enrollments.models import ENROLLMENT_STATUSES, Enrollment, SupervisorAssignment
from tracker.progress import Progress, compute

SORTS = {
    "name": "Name",
    "blocking": "Most blocking items",
    "due": "Next due date",
    "progress": "Least progress",
    "cohort": "Cohort",
}
STEP_STATUSES = ("not_started", "in_progress", "complete", "waived", "blocked")
ACTORS = ("trainee", "supervisor", "staff")


@dataclass(frozen=True)
class CohortFilters:
    """What the staff member asked for (already validated)."""

    program_id: int | None = None
    cohort_id: int | None = None
    status: str | None = None
    supervisor_id: int | None = None
    step: int | None = None
    step_status: str | None = None
    item_code: str | None = None
    actor: str | None = None
    sort: str = "name"


@dataclass(frozen=True)
class CohortRow:
    """One enrollment on the page."""

    loaded: LoadedEnrollment
    progress: Progress | None

    @property
    def blocking(self) -> int:
        """How many blocking items the enrollment has."""
        return len(self.progress.blocking_items) if self.progress else 0

    @property
    def next_due_on(self) -> date | None:
        """The earliest due date among its items."""
        return self.progress.next_due_on if self.progress else None


def _ids(filters: CohortFilters) -> Select:
    stmt = select(Enrollment.id)
    if filters.program_id is not None:
        stmt = stmt.where(Enrollment.program_id == filters.program_id)
    if filters.cohort_id is not None:
        stmt = stmt.where(Enrollment.cohort_id == filters.cohort_id)
    if filters.status in ENROLLMENT_STATUSES:
        stmt = stmt.where(Enrollment.status == filters.status)
    if filters.supervisor_id is not None:
        stmt = stmt.where(
            Enrollment.id.in_(
                select(SupervisorAssignment.enrollment_id).where(
                    SupervisorAssignment.supervisor_id == filters.supervisor_id,
                    SupervisorAssignment.ended_at.is_(None),
                )
            )
        )
    return stmt


def _matches(row: CohortRow, filters: CohortFilters) -> bool:
    progress = row.progress
    if progress is None:
        return not (filters.step or filters.item_code or filters.actor)
    if filters.step is not None:
        status = progress.step(filters.step).status
        if filters.step_status and status != filters.step_status:
            return False
        if not filters.step_status and status in ("complete", "waived"):
            return False  # "step N" alone means: still open at step N
    if filters.item_code and filters.item_code not in progress.codes:
        return False
    return not (filters.actor and not progress.items_for(filters.actor))


def _sort_key(filters: CohortFilters):
    far = date.max
    if filters.sort == "blocking":
        return lambda r: (-r.blocking, r.loaded.row.trainee_name.lower())
    if filters.sort == "due":
        return lambda r: (r.next_due_on or far, r.loaded.row.trainee_name.lower())
    if filters.sort == "progress":
        return lambda r: (r.progress.fraction if r.progress else 0.0, r.loaded.row.trainee_name)
    if filters.sort == "cohort":
        return lambda r: (r.loaded.row.cohort_name or "", r.loaded.row.trainee_name.lower())
    return lambda r: (r.loaded.row.trainee_name.lower(), r.loaded.row.id)


def cohort_rows(filters: CohortFilters) -> list[CohortRow]:
    """Every matching enrollment with its progress, sorted as asked."""
    rows = []
    todays: dict[str, date] = {}
    for loaded in load_enrollments(_ids(filters)):
        zone = loaded.row.timezone
        today = todays.setdefault(zone, today_in(zone))
        progress = compute(loaded.facts, loaded.spec, today) if loaded.spec else None
        row = CohortRow(loaded=loaded, progress=progress)
        if _matches(row, filters):
            rows.append(row)
    rows.sort(key=_sort_key(filters))
    return rows
