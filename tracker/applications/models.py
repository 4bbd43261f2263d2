"""The application attached to an enrollment: documents (CV, personal statement), professional
references and answers to the ethical scenarios. Licence and insurance documents are the ones
attached to the eligibility records.

Review columns (status other than `submitted`, review note, reviewer, time) are written only by
staff services.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.core.columns import Timestamps
from tracker.core.columns import label_of
from tracker.core.columns import unique_where
from tracker.documents.models import StoredFile
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow

APPLICATION_DOCUMENT_KINDS = ("cv", "personal_statement")
DOCUMENT_REVIEW_STATUSES = ("submitted", "accepted", "rejected")
REFERENCE_RELATIONSHIPS = ("colleague", "supervisor", "employer", "other")
RELATIONSHIP_LABELS = {
    "colleague": "Colleague",
    "supervisor": "Clinical supervisor",
    "employer": "Employer",
    "other": "Other",
}
ANSWER_MIN_LENGTH = 50
ANSWER_MAX_LENGTH = 5000


class ApplicationDocument(db.Model):
    """An uploaded application document. A replacement supersedes it: the old row stays, with
    `superseded_at` set, so staff and auditors can see what was sent and when."""

    __tablename__ = "application_documents"
    __table_args__ = (
        CheckConstraint("kind IN ('cv', 'personal_statement')", name="kind"),
        CheckConstraint("status IN ('submitted', 'accepted', 'rejected')", name="status"),
        # One current document of each kind per enrollment.
        unique_where(
            "uq_application_documents_current",
            "enrollment_id",
            "kind",
            where="superseded_at IS NULL",
        ),
        Index("ix_application_documents_enrollment", "enrollment_id"),
        Index("ix_application_documents_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    file: Mapped[StoredFile] = relationship()


class Reference(Timestamps, db.Model):
    """A professional reference the applicant names."""

    __tablename__ = "application_references"
    __audited__ = (
        "enrollment_id",
        "name",
        "email",
        "relationship",
        "phone",
    )
    __table_args__ = (
        CheckConstraint(
            "relationship IN ('colleague', 'supervisor', 'employer', 'other')",
            name="relationship",
        ),
        Index("ix_application_references_enrollment", "enrollment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    relationship: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(30))

    relationship_label = label_of("relationship", RELATIONSHIP_LABELS)


class ScenarioAnswer(Timestamps, db.Model):
    """The applicant's answer to one ethical scenario of the requirement set."""

    __tablename__ = "scenario_answers"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "scenario_code"),
        CheckConstraint(
            f"length(answer) >= {ANSWER_MIN_LENGTH} AND length(answer) <= {ANSWER_MAX_LENGTH}",
            name="answer_length",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    scenario_code: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(Text)
