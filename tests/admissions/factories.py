"""The admissions tests' builders (tracker.factories, committed for use between requests): a
program with versioned requirements, enrollments in a chosen state, application documents and
eligibility records; and a snapshot of every table an admissions action may write, to prove a
refused action wrote nothing."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from tracker.applications.models import ApplicationDocument
from tracker.audit.models import AuditEvent
from tracker.core.clock import today_in
from tracker.eligibility.models import HealthScreening
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.models import Waiver
from tracker.extensions import db
from tracker.factories import applications
from tracker.factories import committing
from tracker.factories import eligibility
from tracker.factories import enrollments
from tracker.factories import next_number
from tracker.factories import programs
from tracker.programs.models import Program

WRITTEN_TABLES = (
    Enrollment,
    ApplicationDocument,
    Licence,
    Insurance,
    HealthScreening,
    Waiver,
    SupervisorAssignment,
)


def day(offset: int) -> date:
    """A date `offset` days from today (UTC, where the test programs are)."""
    return today_in("UTC") + timedelta(days=offset)


@committing
def make_program(**spec_changes: Any) -> Program:
    """A program in UTC with one online track (requirements version 1) and one cohort."""
    n = next_number()
    return programs.make_program(
        f"Program {n}", cohorts=((f"Cohort {n}", 30, 300),), note="First", **spec_changes
    )


add_version = committing(programs.add_version)
add_document = committing(applications.add_document)


@committing
def enroll(
    trainee, program: Program | None = None, status: str = "submitted", days_ago: int = 3
) -> Enrollment:
    """An enrollment on the program's first track and cohort; submitted `days_ago` days ago
    unless still an applicant."""
    return enrollments.enroll(trainee, program or make_program(), status, days_ago)


@committing
def add_licence(trainee, verified: bool = False) -> Licence:
    """A current LCSW licence of the trainee (a number of its own)."""
    method = {"verification_method": "document_inspection"} if verified else {}
    return eligibility.add_licence(trainee, verified, number=f"LCS-{next_number():05d}", **method)


@committing
def add_insurance(trainee, verified: bool = False) -> Insurance:
    """A current insurance policy of the trainee (a number of its own)."""
    return eligibility.add_insurance(trainee, verified, policy_number=f"POL-{next_number():05d}")


@committing
def add_screening(trainee, clearance: str = "pending") -> HealthScreening:
    """A current health-screening attestation of the trainee, a history of psychosis ticked."""
    return eligibility.add_screening(trainee, clearance, psychosis_history=True)


def audit_count() -> int:
    """How many audit events exist."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def snapshot() -> dict[str, Any]:
    """Every row of the tables admissions writes, plus the audit count."""
    db.session.rollback()
    state: dict[str, Any] = {"audit": audit_count()}
    for model in WRITTEN_TABLES:
        table = model.__table__
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        state[table.name] = [tuple(row) for row in rows]
    return state


def fresh(obj):
    """Reload `obj` from the database."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def review_url(enrollment, suffix: str = "") -> str:
    """The review page of an enrollment, or one of its action URLs."""
    return f"/admissions/enrollments/{enrollment.id}{suffix}"


def waive_reviews(enrollment) -> None:
    """Waive steps 1 and 3 (the reviews admission waits on), committed: ready to admit."""
    enrollments.waive_steps(enrollment, 1, 3, reason="Reviewed by the partner institute.")
    db.session.commit()
