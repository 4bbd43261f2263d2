"""Enrollments as the audit trail records them: the status each last event gave an enrollment,
for `flask audit verify` to check the live rows against (see `tracker.audit.reconcile`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit.reconcile import Discrepancy
from tracker.audit.reconcile import StatusReplay
from tracker.audit.reconcile import compare
from tracker.audit.reconcile import replays
from tracker.audit.reconcile import stream
from tracker.enrollments.models import Enrollment


@replays
class EnrollmentStatuses(StatusReplay):
    """Every event that records an enrollment's status (created, track changed, submitted,
    admitted, declined) sets it; the live status must be the last one recorded."""

    object_types = ("enrollments",)

    def recorded(self, after: Any) -> str | None:
        """The `status` the event's after holds."""
        return after.get("status") if isinstance(after, dict) else None

    def differences(self, session: Session) -> Iterator[Discrepancy]:
        """Enrollments whose status is not the last one recorded, or that no event records."""
        rows = stream(session, select(Enrollment.id, Enrollment.status).order_by(Enrollment.id))
        yield from compare("enrollments", self.status, rows, lambda s: f"status {s}", "status")
