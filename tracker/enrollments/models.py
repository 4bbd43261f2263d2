"""Enrollment, waivers and supervisor assignments."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.accounts.models import User
from tracker.core.columns import unique_where
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track

ENROLLMENT_STATUSES = ("applicant", "submitted", "admitted", "declined", "withdrawn")
PATHWAYS = ("standard", "alternative_pending", "alternative_approved", "alternative_refused")


class Enrollment(db.Model):
    """One trainee in one program: the track and cohort chosen, the application's state, and
    the requirement-set version pinned at admission (until then the track's current one)."""

    __tablename__ = "enrollments"
    __audited__ = (
        "program_id",
        "track_id",
        "cohort_id",
        "status",
    )
    __table_args__ = (
        UniqueConstraint("trainee_id", "program_id"),
        CheckConstraint(
            "status IN ('applicant', 'submitted', 'admitted', 'declined', 'withdrawn')",
            name="status",
        ),
        CheckConstraint(
            "pathway IN ('standard', 'alternative_pending', 'alternative_approved', "
            "'alternative_refused')",
            name="pathway",
        ),
        Index("ix_enrollments_cohort_status", "cohort_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="RESTRICT"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="RESTRICT"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="RESTRICT"))
    requirement_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("requirement_sets.id", ondelete="RESTRICT")
    )
    status: Mapped[str] = mapped_column(String(20), default="applicant")
    pathway: Mapped[str] = mapped_column(String(30), default="standard")
    pathway_reason: Mapped[str] = mapped_column(Text, default="")
    # Audit-sample selections carried over from CE entries the holder deleted before review:
    # the next submissions wait for review in their place. (No CHECK: adding one would rebuild
    # this table on SQLite, which every other table refers to; only `+= 1` and a decrement of a
    # positive count write it.)
    ce_reviews_owed: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    program: Mapped[Program] = relationship()
    track: Mapped[Track | None] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    pinned_requirements: Mapped[RequirementSet | None] = relationship()

    @property
    def requirements(self) -> RequirementSet | None:
        """The pinned version once admitted; before that, the chosen track's current one."""
        if self.pinned_requirements is not None:
            return self.pinned_requirements
        return self.track.current_requirements if self.track is not None else None

    @property
    def is_admitted(self) -> bool:
        """True once staff admitted the applicant."""
        return self.status == "admitted"


class Waiver(db.Model):
    """Staff waive a step (by number) or one item code for one enrollment, with a reason."""

    __tablename__ = "waivers"
    __table_args__ = (Index("ix_waivers_enrollment", "enrollment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(60))  # "step:5" or an item code
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last day the waiver applies (None: until revoked or ended).
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Ended early: it no longer applies from `ended_on` (the program's date of the act).
    ended_on: Mapped[date | None] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def last_day(self) -> date | None:
        """The last day the waiver applies: its end date, or the day before it was ended early
        (None while open-ended)."""
        return waiver_last_day(self.ends_on, self.ended_on)


def waiver_last_day(ends_on: date | None, ended_on: date | None) -> date | None:
    """The last day a waiver ending on `ends_on`, or ended early on `ended_on`, applies."""
    days = [d for d in (ends_on, ended_on and ended_on - timedelta(days=1)) if d]
    return min(days) if days else None


class AdmissionReversal(db.Model):
    """An admission decision (admitted or declined) reversed by staff with a reason: the
    enrollment returned to submitted; the decision reversed is kept here as it was."""

    __tablename__ = "admission_reversals"
    __table_args__ = (
        CheckConstraint("reversed_status IN ('admitted', 'declined')", name="reversed_status"),
        Index("ix_admission_reversals_enrollment", "enrollment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    reversed_status: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SupervisorAssignment(db.Model):
    """A supervisor (primary or backup) assigned to an enrollment; ended rows are history."""

    __tablename__ = "supervisor_assignments"
    __table_args__ = (
        CheckConstraint("kind IN ('primary', 'backup')", name="kind"),
        Index("ix_supervisor_assignments_enrollment", "enrollment_id"),
        # At most one current primary and one current backup per enrollment.
        unique_where(
            "uq_supervisor_assignments_current",
            "enrollment_id",
            "kind",
            where="ended_at IS NULL",
        ),
        Index("ix_supervisor_assignments_supervisor", "supervisor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(10), default="primary")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])


class ProgressSnapshot(db.Model):
    """What the engine last said about an enrollment, kept for lists of thousands.

    A derived row, never a source of truth: any write to a record the engine reads marks it
    stale and bumps `generation` (see `tracker.standing.snapshots`); a row is current only
    when not stale and the program's today is before `holds_until`. `steps` holds one letter
    per step (n, i, c, w, b for not started, in progress, complete, waived, blocked), empty
    while no
    track is chosen; `codes` and `actors` are space-delimited with a space at each end so that
    a filter can look for " code ".
    """

    __tablename__ = "progress_snapshots"
    __table_args__ = (
        Index("ix_progress_snapshots_stale", "stale"),
        Index("ix_progress_snapshots_holds_until", "holds_until"),
    )

    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True
    )
    generation: Mapped[int] = mapped_column(default=0)
    stale: Mapped[bool] = mapped_column(default=True)
    computed_on: Mapped[date | None] = mapped_column()
    # The first day on which a time-based rule could change this verdict: from that day of the
    # program's today the row is due for a refresh (NULL: due now).
    holds_until: Mapped[date | None] = mapped_column()
    steps: Mapped[str] = mapped_column(String(9), default="")
    fraction: Mapped[float] = mapped_column(default=0.0)
    blocking: Mapped[int] = mapped_column(default=0)
    next_due_on: Mapped[date | None] = mapped_column()
    codes: Mapped[str] = mapped_column(Text, default="")
    actors: Mapped[str] = mapped_column(String(40), default="")
    ready: Mapped[bool] = mapped_column(default=False)  # for a certificate, today
    certificate_status: Mapped[str | None] = mapped_column(String(10))
    # The engine's life state (active, on_leave, deferred, withdrawn, declined, applying).
    state: Mapped[str] = mapped_column(String(10), default="", server_default="")


class ProgressSnapshotCode(db.Model):
    """One item code of a progress snapshot (`ProgressSnapshot.codes`, a row per code).

    Derived like its snapshot and written with it by the refresh, in the same transaction, so
    the two always agree; removed with it. The cohort page's item-code filter reads the
    enrollments with a code through the primary key instead of scanning every snapshot's
    `codes`; the index by enrollment serves the refresh, which brings an enrollment's rows in
    line with its codes, and the snapshot's removal.
    """

    __tablename__ = "progress_snapshot_codes"
    # With the code: the refresh reads an enrollment's code rows from the index alone.
    __table_args__ = (Index("ix_progress_snapshot_codes_enrollment_id", "enrollment_id", "code"),)

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("progress_snapshots.enrollment_id", ondelete="CASCADE"), primary_key=True
    )
