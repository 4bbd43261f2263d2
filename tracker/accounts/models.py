"""Accounts, roles and server-side sign-in sessions."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow

JOB_TITLE_MAX = 120


class User(UserMixin, db.Model):
    """A person with an account; roles are flags because one person may hold several."""

    __tablename__ = "users"
    __audited__ = (
        "email",
        "full_name",
        "roles",
        "active",
        "job_title",
    )
    # The lists of supervisors (filters, assignment forms) among 100,000 trainees: a small
    # partial index, sorted by name, instead of a scan of every account.
    __table_args__ = (
        Index(
            "ix_users_supervisors",
            "full_name",
            sqlite_where=text("is_supervisor IS true"),
            postgresql_where=text("is_supervisor IS true"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    # A staff member's title, printed under their name when they sign a certificate.
    job_title: Mapped[str] = mapped_column(String(JOB_TITLE_MAX), default="", server_default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    is_trainee: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    is_supervisor: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The second factor: the authenticator app's shared secret (base32), when enrolled, and the
    # last 30-second time step whose code was accepted (a code is never taken twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The sign-in session this request runs under; set by the user loader, never stored.
    session_token = None
    # Figures about the person read with them when a request loads them (the unread notices
    # the navigation shows): see `accounts.services.read_with_session`. Never stored.
    session_figures = {}  # replaced on the instance, never changed in place

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Deactivated accounts cannot sign in and lose access on their next request."""
        return bool(self.active)

    def get_id(self) -> str | None:
        """Flask-Login keeps the sign-in session token, not the user id, in the cookie."""
        return self.session_token

    def get_user_id(self) -> int:
        """The user's id (for logs and audit)."""
        return self.id

    def has_role(self, role: str) -> bool:
        """True when the person holds `role` (trainee, supervisor, staff, admin)."""
        return bool(getattr(self, f"is_{role}", False))

    @property
    def roles(self) -> list[str]:
        """The roles this person holds, in a stable order."""
        return [r for r in ("trainee", "supervisor", "staff", "admin") if self.has_role(r)]

    @property
    def has_second_factor(self) -> bool:
        """True once an authenticator app is enrolled."""
        return bool(self.totp_secret)

    @property
    def has_password(self) -> bool:
        """False for an invited person who has not yet set a password."""
        return bool(self.password_hash)

    @property
    def last_name(self) -> str:
        """The last word of the full name (used by the certificate look-up)."""
        parts = self.full_name.split()
        return parts[-1] if parts else ""

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class LoginSession(db.Model):
    """A server-side sign-in session: the cookie holds a token whose hash is stored here.

    Signing out revokes the row, so a copied cookie stops working at once; idle and absolute
    limits are checked against the row's times.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))
    # When this session last passed the second factor (at sign-in, or asked again to sign).
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="sessions")


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def normalise_email(value: str) -> str:
    """Lower-case and trim an e-mail address so that look-ups are exact."""
    return value.strip().lower()
