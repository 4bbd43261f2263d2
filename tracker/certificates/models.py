"""Certificates: one per enrollment at most, with a readable number, an unguessable verification
code, and the name and program printed on it kept as they were on the day of issue."""

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
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.accounts.models import User
from tracker.enrollments.models import Enrollment
from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.programs.models import default_credential_name

REASON_MIN = 10
REASON_MAX = 2000


class Certificate(db.Model):
    """A certificate issued to an enrollment; revoked certificates stay on file with the reason.

    The database enforces "at most one per enrollment" (UNIQUE enrollment_id), so two staff
    members issuing at the same moment cannot create two.
    """

    __tablename__ = "certificates"
    # Never the verification code nor the address holding it: the audit trail is not for them.
    __audited__ = (
        "enrollment_id",
        "number",
        "printed_name",
        "program_name",
        "credential_name",
        "issued_on",
        "expires_on",
        "issued_by_id",
        "revoked_at",
        "revoked_by_id",
        "revocation_reason",
    )
    __table_args__ = (
        UniqueConstraint("enrollment_id"),
        UniqueConstraint("number"),
        UniqueConstraint("verification_code"),
        CheckConstraint("issued_on >= '2000-01-01'", name="issued_on"),
        CheckConstraint("expires_on IS NULL OR expires_on > issued_on", name="expires_after_issue"),
        CheckConstraint(
            "(revoked_at IS NULL AND revocation_reason IS NULL AND revoked_by_id IS NULL)"
            " OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)",
            name="revocation_complete",
        ),
        CheckConstraint("length(verification_code) >= 32", name="verification_code_length"),
        CheckConstraint("status IN ('valid', 'lapsed', 'expired', 'revoked')", name="status"),
        Index("ix_certificates_issued_on", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(String(40))
    verification_code: Mapped[str] = mapped_column(String(64))
    printed_name: Mapped[str] = mapped_column(String(200))
    program_name: Mapped[str] = mapped_column(String(200))
    credential_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The address printed on the certificate and in its QR code when it was issued; None for
    # certificates issued before it was kept (theirs is computed from the current setting).
    verification_url: Mapped[str | None] = mapped_column(String(500))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    # The current stored status: the last of its status changes (see CertificateStatusChange).
    status: Mapped[str] = mapped_column(String(10), default="valid", server_default="valid")

    enrollment: Mapped[Enrollment] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def revoked(self) -> bool:
        """True once staff revoked the certificate."""
        return self.revoked_at is not None

    @property
    def credential(self) -> str:
        """The credential certified, as printed on the day of issue."""
        return self.credential_name or default_credential_name(self.program_name)

    @property
    def trainee_id(self) -> int:
        """The certified trainee's user id."""
        return self.enrollment.trainee_id


STATUSES = ("valid", "lapsed", "expired", "revoked")
# What a change of status is: a staff act (with a signature) or the engine's rule.
CHANGE_KINDS = ("issued", "revoked", "reinstated", "rule")
NOTICE_KINDS = ("due_90", "due_30", "due_7", "lapsed")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class CertificateStatusChange(db.Model):
    """One change of a certificate's status, kept for good: the status, the day (program time
    zone) since which it holds, why, and who (None: the engine's rule, when a renewal cycle
    closed short, approved CE made it up, or the certificate expired).

    A certificate's history is its rows in id order; the last is its current stored status
    (also kept on `certificates.status`, for lists that compare it with the engine's verdict).
    """

    __tablename__ = "certificate_status_changes"
    __audited__ = ("certificate_id", "status", "since", "kind", "reason", "by_id")
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(STATUSES)})", name="status"),
        CheckConstraint(f"kind IN ({_in(CHANGE_KINDS)})", name="kind"),
        CheckConstraint("length(reason) > 0", name="reason"),
        Index("ix_certificate_status_changes_certificate", "certificate_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(10))
    since: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    by: Mapped[User | None] = relationship()

    @property
    def by_rule(self) -> bool:
        """True for a change the engine's rule made (no staff member)."""
        return self.by_id is None and self.kind == "rule"


class CertificateNotice(db.Model):
    """A warning mailed to a certificate's holder about one renewal cycle: 90, 30 or 7 days
    before it ends while it is short, or its lapse. Inserted with the mail, so the UNIQUE
    constraint lets each be sent once."""

    __tablename__ = "certificate_notices"
    __table_args__ = (
        UniqueConstraint("certificate_id", "cycle_starts_on", "kind"),
        CheckConstraint(f"kind IN ({_in(NOTICE_KINDS)})", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"))
    cycle_starts_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    sent_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- Open Badges 3.0 credentials ----------------------------------------------------------------

STATUS_PURPOSES = ("revocation", "suspension")


class CertificateCredential(db.Model):
    """A certificate's Open Badges 3.0 credential as signed on the day of issue (the JSON
    served at /verify/<code>/credential.json, unchanged for good: its status lives in the
    status lists, never in the credential). The holder's e-mail is in it only as a salted hash."""

    __tablename__ = "certificate_credentials"
    __audited__ = ("certificate_id", "credential_id", "verification_method", "signed_at")
    __table_args__ = (UniqueConstraint("certificate_id"), UniqueConstraint("credential_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="RESTRICT"))
    # The credential's `id`: urn:uuid:...
    credential_id: Mapped[str] = mapped_column(String(80))
    document: Mapped[str] = mapped_column(Text)
    verification_method: Mapped[str] = mapped_column(String(300))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatusList(db.Model):
    """A Bitstring Status List for one purpose (revocation or suspension), published as a
    signed BitstringStatusListCredential at a stable address. Its bits are its entries' `set`;
    `document` is the credential as last signed (signed again whenever a bit changes)."""

    __tablename__ = "credential_status_lists"
    __table_args__ = (
        CheckConstraint(f"purpose IN ({_in(STATUS_PURPOSES)})", name="purpose"),
        CheckConstraint("size >= 131072 AND size % 8 = 0", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(12))
    size: Mapped[int] = mapped_column(Integer, default=131072)
    document: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatusEntry(db.Model):
    """A certificate's place in a status list: a random index, never given to another
    certificate (entries are never deleted), and whether its bit is set."""

    __tablename__ = "credential_status_entries"
    __table_args__ = (
        UniqueConstraint("status_list_id", "list_index"),
        UniqueConstraint("certificate_id", "status_list_id"),
        CheckConstraint("list_index >= 0", name="list_index"),
        Index("ix_credential_status_entries_certificate", "certificate_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status_list_id: Mapped[int] = mapped_column(
        ForeignKey("credential_status_lists.id", ondelete="RESTRICT")
    )
    list_index: Mapped[int] = mapped_column(Integer)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="RESTRICT"))
    set: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    status_list: Mapped[StatusList] = relationship()
