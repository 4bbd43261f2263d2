"""The stored record of each generated hours transcript: who generated it, when, the content it
states and that content's fingerprint, under an unguessable verification code."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
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


class TranscriptRecord(db.Model):
    """One generated transcript. Never changed once written: the PDF is always drawn from
    `content`, so every copy states exactly what the fingerprint binds; a newer transcript is a
    new record."""

    __tablename__ = "transcript_records"
    # Never the verification code: the audit trail is not for it.
    __audited__ = ("enrollment_id", "generated_by_id", "fingerprint")
    __table_args__ = (
        UniqueConstraint("code"),
        Index("ix_transcript_records_enrollment_generated", "enrollment_id", "generated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(40))
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    generated_by_name: Mapped[str] = mapped_column(String(200))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # SHA-256 (hex) of `content`, the canonical JSON of what the transcript states.
    fingerprint: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)

    enrollment: Mapped[Enrollment] = relationship()
    generated_by: Mapped[User | None] = relationship(foreign_keys=[generated_by_id])

    @property
    def stated(self) -> dict[str, Any]:
        """The content the transcript states, as a dict."""
        return json.loads(self.content)
