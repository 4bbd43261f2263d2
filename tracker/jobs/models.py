"""The jobs table: the outbox the worker reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import CheckConstraint
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tracker.extensions import UTCDateTime
from tracker.extensions import db
from tracker.extensions import utcnow

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """One piece of background work (an e-mail to send, say).

    Added in the transaction of the change that asks for it, so it exists only if that change
    committed. `queued` until a worker claims it (`running`, leased until `locked_until`), then
    `done`, or `queued` again with a later `run_after` after a failure, or `failed` once the
    attempts are used up (kept, with the last error, for a person to look at).
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_run_after", "status", "run_after"),
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"
