"""The notices in each person's inbox, and each person's choice of delivery per kind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.notifications.kinds import DELIVERIES


def _in(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


class Notice(db.Model):
    """A notice to one person, with the page it is about (`link`, a path in the app).

    `delivery` is how it was sent besides the inbox when it was made (the person's choice
    then); a `digest` notice waits for the daily digest until `digested_at`. `once_key` names
    an event that must be noticed once only (an instalment's reminder): the UNIQUE constraint
    refuses a second. Deleted by the worker 90 days after it was made."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("person_id", "once_key"),
        Index("ix_notices_person_id_read_at", "person_id", "read_at"),
        Index("ix_notices_created_at", "created_at"),
        CheckConstraint(f"delivery IN ({_in(DELIVERIES)})", name="delivery"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300))
    delivery: Mapped[str] = mapped_column(String(10))
    once_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Notice {self.id} {self.kind} to {self.person_id}>"


class NoticePreference(db.Model):
    """A person's chosen delivery for one kind of notice (no row: the kind's default)."""

    __tablename__ = "notice_preferences"
    __table_args__ = (
        UniqueConstraint("person_id", "kind"),
        CheckConstraint(f"delivery IN ({_in(DELIVERIES)})", name="delivery"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    delivery: Mapped[str] = mapped_column(String(10))
