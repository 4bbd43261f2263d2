"""Electronic signatures on trainee records, the question thread kept with each entry, and the
log that keeps reminder digests to one per person per day.

A signature binds the entry's canonical content with an HMAC keyed by an audit key held outside
the database (see `binding.py`); a live signature is one that is not voided, and the partial
UNIQUE index allows at most one per entry.
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
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.accounts.models import User
from tracker.core.columns import label_of
from tracker.core.columns import unique_where
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow

ENTRY_TYPES = ("session", "didactic", "experiential", "ce")
# What a signature may be on: the trainee's entries, and a certificate's acts (issued, revoked,
# reinstated), whose signature's entry_id is the certificate's status change.
SIGNED_TYPES = (*ENTRY_TYPES, "certificate")
ENTRY_TYPE_LABELS = {
    "session": "Supervised session",
    "didactic": "Didactic hours",
    "experiential": "Experiential activity",
    "ce": "Continuing education",
    "certificate": "Certificate",
}
QUESTION_KINDS = ("question", "answer", "reopen_reason")
QUESTION_KIND_LABELS = {
    "question": "Question",
    "answer": "Answer",
    "reopen_reason": "Reopened by staff",
}
REMINDER_KINDS = ("supervisor_digest", "trainee_digest")
BODY_MAX = 2000

SESSION_MEANING = "I directly supervised this session and attest that this record is accurate."
VERIFICATION_MEANING = "I have reviewed this entry and confirm it is accurate."
CE_MEANING = (
    "CE reviewed: I have checked this entry against its evidence and approve it toward the "
    "certificate's renewal cycle."
)


def meaning_for(entry_type: str) -> str:
    """The meaning a signer attests to for an entry of `entry_type`."""
    if entry_type == "ce":
        return CE_MEANING
    return SESSION_MEANING if entry_type == "session" else VERIFICATION_MEANING


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Signature(db.Model):
    """A signer's attestation of one entry: who, printed name, UTC time, meaning and the keyed
    hash of exactly what was signed (`content_hash`, an HMAC with the audit key `key_id`; a plain
    SHA-256 when `key_id` is empty, for signatures given before the keys came in). Voided
    signatures stay as history."""

    __tablename__ = "signatures"
    __audited__ = (
        "entry_type",
        "entry_id",
        "enrollment_id",
        "signer_id",
        "printed_name",
        "meaning",
        "signed_at",
        "content_hash",
        "key_id",
        "voided_at",
        "voided_by_id",
        "void_reason",
    )
    __table_args__ = (
        CheckConstraint(f"entry_type IN ({_in(SIGNED_TYPES)})", name="entry_type"),
        CheckConstraint("length(content_hash) = 64", name="content_hash"),
        CheckConstraint("length(printed_name) > 0", name="printed_name"),
        CheckConstraint("length(meaning) > 0", name="meaning"),
        CheckConstraint(
            "(voided_at IS NULL AND voided_by_id IS NULL) OR "
            "(voided_at IS NOT NULL AND length(void_reason) > 0)",
            name="void",
        ),
        # At most one live signature per entry: a second sign-off is impossible.
        unique_where(
            "uq_signatures_live_entry",
            "entry_type",
            "entry_id",
            where="voided_at IS NULL",
        ),
        Index("ix_signatures_entry", "entry_type", "entry_id"),
        Index("ix_signatures_enrollment", "enrollment_id"),
        Index("ix_signatures_signer", "signer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    entry_type: Mapped[str] = mapped_column(String(15))
    entry_id: Mapped[int] = mapped_column(Integer)
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    printed_name: Mapped[str] = mapped_column(String(120))
    meaning: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(32))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    void_reason: Mapped[str] = mapped_column(Text, default="")

    signer: Mapped[User] = relationship(foreign_keys=[signer_id])
    voided_by: Mapped[User | None] = relationship(foreign_keys=[voided_by_id])

    @property
    def is_live(self) -> bool:
        """True while the signature is not voided."""
        return self.voided_at is None


class EntryQuestion(db.Model):
    """One message in the exchange kept with an entry: a supervisor's question, the trainee's
    answer, or the reason staff gave for reopening a signed record."""

    __tablename__ = "entry_questions"
    __table_args__ = (
        CheckConstraint(f"entry_type IN ({_in(ENTRY_TYPES)})", name="entry_type"),
        CheckConstraint(f"kind IN ({_in(QUESTION_KINDS)})", name="kind"),
        CheckConstraint(f"length(body) >= 1 AND length(body) <= {BODY_MAX}", name="body"),
        Index("ix_entry_questions_entry", "entry_type", "entry_id"),
        Index("ix_entry_questions_enrollment", "enrollment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    entry_type: Mapped[str] = mapped_column(String(15))
    entry_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(15), default="question")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()

    kind_label = label_of("kind", QUESTION_KIND_LABELS)


class ReminderLog(db.Model):
    """A digest sent (or being sent) to a person on a day: inserted before sending, so the
    UNIQUE constraint lets only one run a day mail each person."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        UniqueConstraint("person_id", "sent_on", "kind"),
        CheckConstraint(f"kind IN ({_in(REMINDER_KINDS)})", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
