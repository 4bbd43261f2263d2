"""The record of an enrollment's life: one row per change, never edited or deleted."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.accounts.models import User
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow

CHANGE_KINDS = (
    "withdrawn",
    "readmitted",
    "leave",
    "leave_extended",
    "returned",
    "deferred",
    "transferred",
)
CHANGE_LABELS = {
    "withdrawn": "Withdrawn",
    "readmitted": "Readmitted",
    "leave": "Leave of absence",
    "leave_extended": "Leave extended",
    "returned": "Returned from leave",
    "deferred": "Deferred to a later cohort",
    "transferred": "Transferred",
}
GROUNDS = {"voluntary": "Voluntary withdrawal", "dismissed": "Dismissed by the program"}


class EnrollmentChange(db.Model):
    """A change in an enrollment's life, effective on a date, with the reason staff gave.

    `kind` says which: a withdrawal (`grounds` voluntary or dismissed) and a readmission move the
    enrollment's status (`from_status`, `to_status`); a leave has its `expected_return_on`, and a
    return or an extension names the leave (`leave_id`); a deferral or transfer keeps the cohort,
    track and requirement-set version before and after. Rows are only ever added.
    """

    __tablename__ = "enrollment_changes"
    __audited__ = (
        "enrollment_id",
        "kind",
        "effective_on",
        "reason",
        "grounds",
        "expected_return_on",
        "leave_id",
        "from_status",
        "to_status",
        "from_cohort_id",
        "to_cohort_id",
        "from_track_id",
        "to_track_id",
        "from_requirement_set_id",
        "to_requirement_set_id",
        "recorded_by_id",
    )
    __table_args__ = (
        CheckConstraint(
            "kind IN ('withdrawn', 'readmitted', 'leave', 'leave_extended', 'returned', "
            "'deferred', 'transferred')",
            name="kind",
        ),
        CheckConstraint("grounds IS NULL OR grounds IN ('voluntary', 'dismissed')", name="grounds"),
        Index("ix_enrollment_changes_enrollment", "enrollment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[date] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    grounds: Mapped[str | None] = mapped_column(String(10))
    expected_return_on: Mapped[date | None] = mapped_column()
    leave_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollment_changes.id", ondelete="RESTRICT")
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    from_cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="RESTRICT")
    )
    to_cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="RESTRICT"))
    from_track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="RESTRICT"))
    to_track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="RESTRICT"))
    from_requirement_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("requirement_sets.id", ondelete="RESTRICT")
    )
    to_requirement_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("requirement_sets.id", ondelete="RESTRICT")
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    @property
    def label(self) -> str:
        """The kind of change as a person reads it."""
        return CHANGE_LABELS.get(self.kind, self.kind)
