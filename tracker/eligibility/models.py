"""A person's eligibility records: licences, insurance, the experience attestation and the health
screening. They belong to the person (not to an enrollment), so they carry over between programs.

Verification and clearance columns are written only by staff services; the trainee's services
never read them from a form.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.core.columns import Timestamps
from tracker.core.columns import label_of
from tracker.core.columns import unique_where
from tracker.documents.models import StoredFile
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow

CLEARANCES = ("pending", "cleared", "not_cleared")
CLEARANCE_LABELS = {
    "pending": "Waiting for clearance by program staff",
    "cleared": "Cleared by program staff",
    "not_cleared": "Not cleared: please contact the program's medical lead",
}

# The screening questions, in order: (column, question). Only the yes/no answers are stored.
SCREENING_QUESTIONS = (
    (
        "contraindication",
        "Do you have a condition or take a medication that a physician has advised is "
        "incompatible with ketamine?",
    ),
    (
        "psychosis_history",
        "Do you have a personal history of psychosis or of a psychotic disorder?",
    ),
    (
        "cardiovascular",
        "Do you have uncontrolled hypertension or a cardiac condition?",
    ),
    (
        "pregnancy",
        "Are you pregnant or possibly pregnant?",
    ),
    (
        "willing_to_discuss",
        "Are you willing to discuss any concern with the program's medical lead?",
    ),
)

EXPERIENCE_STATEMENT = (
    "I attest that the years of psychotherapy practice and the practice settings above are "
    "accurate, and that the program may ask for evidence of them."
)


class VerificationMixin:
    """Staff verification of a record: who checked it, when, how, and a note."""

    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verification_method: Mapped[str] = mapped_column(Text, default="")
    verification_note: Mapped[str] = mapped_column(Text, default="")

    @property
    def is_verified(self) -> bool:
        """True once staff verified the record (it is then read-only for the trainee)."""
        return self.verified_at is not None


class PersonalRecord(VerificationMixin, Timestamps):
    """A record the trainee keeps about themselves, with its evidence file, checked by staff."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL")
    )

    @declared_attr
    def document(cls) -> Mapped[StoredFile | None]:
        """The uploaded evidence (a licence scan, an insurance certificate)."""
        return relationship(StoredFile)


class Licence(PersonalRecord, db.Model):
    """A professional licence: type, number, issuing jurisdiction and validity dates."""

    __tablename__ = "licences"
    __audited__ = (
        "trainee_id",
        "licence_type",
        "number",
        "jurisdiction",
        "issued_on",
        "expires_on",
        "document_id",
        "verified_at",
    )
    __table_args__ = (
        CheckConstraint(
            "licence_type IN ('MD', 'DO', 'PhD', 'PsyD', 'LCSW', 'LMFT', 'LPCC', 'LPC', "
            "'APRN', 'PA')",
            name="licence_type",
        ),
        CheckConstraint("issued_on IS NULL OR issued_on < expires_on", name="dates"),
        Index("ix_licences_trainee", "trainee_id"),
    )

    licence_type: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(40))
    jurisdiction: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)


class Insurance(PersonalRecord, db.Model):
    """A professional liability insurance policy covering `starts_on` to `ends_on`."""

    __tablename__ = "insurances"
    __audited__ = (
        "trainee_id",
        "carrier",
        "policy_number",
        "starts_on",
        "ends_on",
        "coverage",
        "document_id",
        "verified_at",
    )
    __table_args__ = (
        CheckConstraint("ends_on > starts_on", name="dates"),
        Index("ix_insurances_trainee", "trainee_id"),
    )

    carrier: Mapped[str] = mapped_column(String(120))
    policy_number: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    coverage: Mapped[str] = mapped_column(String(500), default="")


def _one_current_per_trainee(table: str) -> tuple[Index, Index]:
    """The indexes of a superseded record: at most one current row per person, and by person."""
    return (
        unique_where(f"uq_{table}_current", "trainee_id", where="superseded_at IS NULL"),
        Index(f"ix_{table}_trainee", "trainee_id"),
    )


class _Superseded:
    """A person's record that a newer one supersedes; superseded rows are history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExperienceAttestation(_Superseded, db.Model):
    """The person's attestation of psychotherapy experience; a new one supersedes the last."""

    __tablename__ = "experience_attestations"
    __table_args__ = (
        CheckConstraint("years_practice >= 0 AND years_practice <= 70", name="years"),
        *_one_current_per_trainee("experience_attestations"),
    )

    years_practice: Mapped[int] = mapped_column(Integer)
    practice_settings: Mapped[str] = mapped_column(Text)
    statement: Mapped[str] = mapped_column(Text)
    attested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HealthScreening(_Superseded, db.Model):
    """A signed health-screening attestation: yes/no answers only, and the staff clearance.

    No medical detail is stored, by design. A new screening supersedes the last and needs a new
    clearance.
    """

    __tablename__ = "health_screenings"
    __table_args__ = (
        CheckConstraint("clearance IN ('pending', 'cleared', 'not_cleared')", name="clearance"),
        *_one_current_per_trainee("health_screenings"),
    )

    contraindication: Mapped[bool] = mapped_column(Boolean)
    psychosis_history: Mapped[bool] = mapped_column(Boolean)
    cardiovascular: Mapped[bool] = mapped_column(Boolean)
    pregnancy: Mapped[bool] = mapped_column(Boolean)
    willing_to_discuss: Mapped[bool] = mapped_column(Boolean)
    signature: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    clearance: Mapped[str] = mapped_column(String(20), default="pending")
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    clearance_label = label_of("clearance", CLEARANCE_LABELS)

    def answers(self) -> list[tuple[str, bool]]:
        """(question, answer) pairs in the fixed order."""
        return [(question, getattr(self, column)) for column, question in SCREENING_QUESTIONS]
