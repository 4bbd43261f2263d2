"""Final-assessment records: exam attempts, case-presentation and competency evaluations.

Records are added, never edited: a later evaluation supersedes an earlier one (the latest counts),
an evaluation recorded in error is amended by a new version that names the one it supersedes, and
every attempt at the exam stays on file (a voided attempt is kept, marked VOID, and no longer
counts).
"""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.accounts.models import User
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow

CASE_RESULTS = ("passed", "failed")
RATINGS = (1, 2, 3, 4)
RATING_LABELS = {
    1: "1: not yet demonstrated",
    2: "2: developing",
    3: "3: competent",
    4: "4: exemplary",
}


class _EnrollmentRecord:
    """Columns of every assessment record: added once for an enrollment, never edited."""

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class _Evaluation(_EnrollmentRecord):
    """An evaluation by a staff member on a given day; an amendment is a new version that
    names the version it supersedes and why."""

    evaluated_on: Mapped[date] = mapped_column(Date)
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    amendment_reason: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def supersedes_id(cls) -> Mapped[int | None]:
        """The version this one amends (None for an original evaluation)."""
        return mapped_column(
            ForeignKey(f"{cls.__tablename__}.id", ondelete="RESTRICT"), unique=True
        )

    @declared_attr
    def evaluator(cls) -> Mapped[User | None]:
        """The staff member who evaluated."""
        return relationship(User)


class ExamAttempt(_EnrollmentRecord, db.Model):
    """One attempt at the knowledge exam, scored 0-100, recorded by staff."""

    __tablename__ = "exam_attempts"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 100", name="score"),
        CheckConstraint("taken_on >= '2000-01-01'", name="taken_on"),
        CheckConstraint(
            "(voided_at IS NULL AND void_reason IS NULL)"
            " OR (voided_at IS NOT NULL AND void_reason IS NOT NULL)",
            name="void",
        ),
        Index("ix_exam_attempts_enrollment", "enrollment_id"),
    )

    taken_on: Mapped[date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    override_reason: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    void_reason: Mapped[str | None] = mapped_column(Text)

    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    voided_by: Mapped[User | None] = relationship(foreign_keys=[voided_by_id])

    @property
    def voided(self) -> bool:
        """True once the attempt was voided: it stays on file but no longer counts."""
        return self.voided_at is not None


class CaseEvaluation(_Evaluation, db.Model):
    """The evaluation of a case presentation: passed or failed, with notes."""

    __tablename__ = "case_evaluations"
    __table_args__ = (
        CheckConstraint("result IN ('passed', 'failed')", name="result"),
        CheckConstraint("evaluated_on >= '2000-01-01'", name="evaluated_on"),
        Index("ix_case_evaluations_enrollment", "enrollment_id"),
    )

    result: Mapped[str] = mapped_column(String(10))
    notes: Mapped[str] = mapped_column(Text, default="")


class CompetencyEvaluation(_Evaluation, db.Model):
    """A competency evaluation: a rating (1-4) for every domain of the requirement set."""

    __tablename__ = "competency_evaluations"
    __table_args__ = (
        CheckConstraint("evaluated_on >= '2000-01-01'", name="evaluated_on"),
        Index("ix_competency_evaluations_enrollment", "enrollment_id"),
    )

    comments: Mapped[str] = mapped_column(Text, default="")
    ratings: Mapped[list[CompetencyRating]] = relationship(
        back_populates="evaluation",
        order_by="CompetencyRating.id",
        cascade="all, delete-orphan",
    )

    @property
    def rating_map(self) -> dict[str, int]:
        """Domain code to rating."""
        return {r.domain: r.rating for r in self.ratings}


class CompetencyRating(db.Model):
    """One domain's rating within a competency evaluation."""

    __tablename__ = "competency_ratings"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "domain"),
        CheckConstraint("rating >= 1 AND rating <= 4", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("competency_evaluations.id", ondelete="CASCADE")
    )
    domain: Mapped[str] = mapped_column(String(40))
    rating: Mapped[int] = mapped_column(Integer)

    evaluation: Mapped[CompetencyEvaluation] = relationship(back_populates="ratings")
