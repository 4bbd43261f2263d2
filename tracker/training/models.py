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
from sqlalchemy import Integer
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
CE_STATUSES = ("pending", "approved", "rejected")
CE_STATUS_LABELS = {
    "pending": "Pending review",
    "approved": "Approved",
    "rejected": "Rejected",
}
# Why an entry was (or was not) reviewed by staff: drawn in the audit sample; dated inside a
# closed cycle (always reviewed); not drawn (approved on submission by rule); logged before
# review existed (approved as it stood); reopened by staff after approval (reviewed again);
# carrying the selection of an entry the holder deleted before review (so that deleting a
# selected entry and logging it again, changed or not, cannot escape review).
CE_REVIEW_BASES = (
    "sampled",
    "closed_cycle",
    "not_sampled",
    "before_review",
    "reopened",
    "carried",
)
CE_REVIEW_BASIS_LABELS = {
    "sampled": "Selected for review by the audit sample",
    "closed_cycle": "Dated inside a closed cycle: always reviewed",
    "not_sampled": "Not selected by the audit sample: approved on submission",
    "before_review": "Logged before CE review existed",
    "reopened": "Reopened by staff after approval: reviewed again",
    "carried": "Logged after an entry waiting for review was deleted: reviewed in its place",
}
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
    """CE credits or peer consultation hours (step 9), with the certificate of attendance as
    evidence and its review: `pending` until staff approve (a signature "CE reviewed") or reject
    it with a reason; `approved` at once when the audit sample did not select it. Only approved
    entries count toward a cycle. `audit_draw` (0-99) is the sampling draw, kept so the choice
    can be checked; the entry was selected when the draw fell below the set's percentage."""

    __tablename__ = "continuing_education"
    __audited__ = (
        "enrollment_id",
        "kind",
        "on",
        "title",
        "provider",
        "amount",
        "file_id",
        "status",
        "review_basis",
        "audit_draw",
    )
    __table_args__ = (
        CheckConstraint("amount > 0 AND amount <= 40", name="amount"),
        CheckConstraint(f"kind IN ({_in(CE_KINDS)})", name="kind"),
        CheckConstraint(f"status IN ({_in(CE_STATUSES)})", name="status"),
        CheckConstraint(f"review_basis IN ({_in(CE_REVIEW_BASES)})", name="review_basis"),
        CheckConstraint(
            "audit_draw IS NULL OR (audit_draw >= 0 AND audit_draw < 100)", name="audit_draw"
        ),
        Index("ix_continuing_education_status", "status"),
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
    status: Mapped[str] = mapped_column(String(10), default="pending")
    review_basis: Mapped[str] = mapped_column(String(20), default="sampled")
    audit_draw: Mapped[int | None] = mapped_column(Integer)
    # Set when staff approve (with their signature); empty for an entry approved by rule.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    enrollment: Mapped[Enrollment] = relationship()
    certificate: Mapped[StoredFile | None] = relationship()

    kind_label = label_of("kind", CE_KIND_LABELS)
    status_label = label_of("status", CE_STATUS_LABELS)
    review_basis_label = label_of("review_basis", CE_REVIEW_BASIS_LABELS)

    @property
    def is_approved(self) -> bool:
        """True once approved (by staff or by rule): the entry is then read-only for the holder."""
        return self.status == "approved"

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
