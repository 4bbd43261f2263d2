"""Who may read a trainee's files: the trainee, their assigned supervisors, and staff."""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db


def supervises(supervisor: User, trainee_id: int) -> bool:
    """True when `supervisor` is a current (primary or backup) supervisor of the trainee."""
    if not supervisor.is_supervisor:
        return False
    stmt = select(
        exists()
        .where(SupervisorAssignment.enrollment_id == Enrollment.id)
        .where(Enrollment.trainee_id == trainee_id)
        .where(SupervisorAssignment.supervisor_id == supervisor.id)
        .where(SupervisorAssignment.ended_at.is_(None))
    )
    return bool(db.session.scalar(stmt))


def may_see_trainee(user: User, trainee_id: int) -> bool:
    """True when `user` may see the trainee's records: the trainee, staff, or a supervisor."""
    if not user.is_authenticated:
        return False
    if user.id == trainee_id or user.is_staff:
        return True
    return supervises(user, trainee_id)
