"""A person's calendar feed: the hash of the secret token in its address, one per person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow


class CalendarFeed(db.Model):
    """The person's private feed. Only the SHA-256 of the token is kept: the address is shown
    once, when made; revoking deletes the row, regenerating replaces the hash."""

    __tablename__ = "calendar_feeds"
    __audited__ = ("user_id", "created_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
