"""Named reads of a trainee's supervised sessions and case presentations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.supervision.models import CasePresentation, SupervisedSession


def sessions_of(enrollment_id: int) -> Sequence[SupervisedSession]:
    """The enrollment's sessions, newest first, with their supervisors."""
    stmt = (
        select(SupervisedSession)
        .where(SupervisedSession.enrollment_id == enrollment_id)
        .options(joinedload(SupervisedSession.supervisor))
        .order_by(SupervisedSession.on.desc(), SupervisedSession.id.desc())
    )
    return db.session.scalars(stmt).all()


def presentations_of(enrollment_id: int) -> Sequence[CasePresentation]:
    """The enrollment's case presentations, newest first."""
    stmt = (
        select(CasePresentation)
        .where(CasePresentation.enrollment_id == enrollment_id)
        .options(joinedload(CasePresentation.session))
        .order_by(CasePresentation.on.desc(), CasePresentation.id.desc())
    )
    return db.session.scalars(stmt).all()


@dataclass(frozen=True)
class SessionCounts:
    """Sessions by status against the program's requirement."""

    signed: int
    submitted: int
    returned: int
    draft: int
    required: int

    @property
    def met(self) -> bool:
        """True when enough sessions are signed off."""
        return self.signed >= self.required


def session_counts(sessions: Sequence[SupervisedSession], required: int) -> SessionCounts:
    """Count the sessions per status."""
    by_status = {s: 0 for s in ("draft", "submitted", "returned", "signed")}
    for session in sessions:
        by_status[session.status] = by_status.get(session.status, 0) + 1
    return SessionCounts(required=required, **by_status)
