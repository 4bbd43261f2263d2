"""What a trainee logs for steps 5, 6 and 9: didactic hours, experiential activities and
continuing education."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.core.columns import AutoTimestamps
from tracker.core.columns import label_of
from tracker.documents.models import StoredFile
from tracker.enrollments.models import Enrollment
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.progress.requirements import EXPERIENTIAL_KINDS
from tracker.progress.requirements import EXPERIENTIAL_LABELS

ENTRY_STATUSES = ("pending", "verified", "returned")
ENTRY_STATUS_LABELS = {
    "pending": "Waiting for verification",
    "verified": "Verified",
    "returned": "Returned with a question",
}
CE_KINDS = ("ce", "consultation")
CE_KIND_LABELS = {"ce": "CE credits", "consultation": "Peer consultation hours"}
HOURS = Numeric(5, 2)


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _entry_checks() -> tuple[CheckConstraint, ...]:
    """The checks every logged entry's table carries (each table needs its own objects)."""
    return (
        CheckConstraint("hours > 0 AND hours <= 12", name="hours"),
        CheckConstraint(f"status IN ({_in(ENTRY_STATUSES)})", name="status"),
    )


class _LoggedEntry(AutoTimestamps):
    """Columns shared by didactic and experiential entries."""

    id: Mapped[int] = mapped_column(primary_key=True)
    on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(HOURS)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    # Set by the verification step (a later feature); the trainee never sets them.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def enrollment(cls) -> Mapped[Enrollment]:
        """The enrollment the entry counts toward."""
        return relationship(Enrollment)

    @property
    def is_verified(self) -> bool:
        """True once verified: the entry is then read-only for the trainee."""
        return self.status == "verified"

    status_label = label_of("status", ENTRY_STATUS_LABELS)


class DidacticEntry(_LoggedEntry, db.Model):
    """Didactic hours under one curriculum topic (step 5)."""

    __tablename__ = "didactic_entries"
    __audited__ = (
        "enrollment_id",
        "on",
        "topic_code",
        "hours",
        "provider",
        "note",
        "status",
    )
    __table_args__ = (
        *_entry_checks(),
        Index("ix_didactic_entries_enrollment_on", "enrollment_id", "on"),
    )

    topic_code: Mapped[str] = mapped_column(String(40))
    provider: Mapped[str] = mapped_column(String(200))


class ExperientialEntry(_LoggedEntry, db.Model):
    """An experiential activity (step 6); a personal session is an attestation only."""

    __tablename__ = "experiential_entries"
    __audited__ = (
        "enrollment_id",
        "kind",
        "on",
        "hours",
        "facilitator",
        "note",
        "status",
    )
    __table_args__ = (
        *_entry_checks(),
        CheckConstraint(f"kind IN ({_in(EXPERIENTIAL_KINDS)})", name="kind"),
        Index("ix_experiential_entries_enrollment_on", "enrollment_id", "on"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    facilitator: Mapped[str] = mapped_column(String(200))

    kind_label = label_of("kind", EXPERIENTIAL_LABELS)


class ContinuingEducation(AutoTimestamps, db.Model):
    """CE credits or peer consultation hours (step 9), with an optional certificate file."""

    __tablename__ = "continuing_education"
    __audited__ = (
        "enrollment_id",
        "kind",
        "on",
        "title",
        "provider",
        "amount",
        "file_id",
    )
    __table_args__ = (
        CheckConstraint("amount > 0 AND amount <= 40", name="amount"),
        CheckConstraint(f"kind IN ({_in(CE_KINDS)})", name="kind"),
        Index("ix_continuing_education_enrollment_on", "enrollment_id", "on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(HOURS)
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"), index=True
    )

    enrollment: Mapped[Enrollment] = relationship()
    certificate: Mapped[StoredFile | None] = relationship()

    kind_label = label_of("kind", CE_KIND_LABELS)

    @property
    def unit(self) -> str:
        """The unit of `amount`."""
        return "credits" if self.kind == "ce" else "hours"


class SubmissionToken(db.Model):
    """A form's one-time submission token, kept once the form stored its record: the same form
    sent again (Back, then Save; a double click) finds it and lands on that record instead of
    storing a second one. Kept in the database so that every web worker sees it."""

    __tablename__ = "submission_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
