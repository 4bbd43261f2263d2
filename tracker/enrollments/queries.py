"""Named reads of enrollments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.enrollments.models import Enrollment
from tracker.extensions import db


def current_enrollment(trainee_id: int) -> Enrollment | None:
    """The trainee's enrollment that is not declined or withdrawn (newest first), if any."""
    stmt = (
        select(Enrollment)
        .where(Enrollment.trainee_id == trainee_id)
        .where(Enrollment.status.not_in(("declined", "withdrawn")))
        .options(
            joinedload(Enrollment.program),
            joinedload(Enrollment.track),
            joinedload(Enrollment.cohort),
            joinedload(Enrollment.pinned_requirements),
        )
        .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)
