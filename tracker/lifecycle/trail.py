"""An enrollment's life as the audit trail records it, for `flask audit verify`: every change
row must be recorded by an event, with the kind the event gave it, and none removed.

The statuses a withdrawal or a readmission sets, and the cohort and track a move sets, are
events on the enrollment itself (`enrollment.withdrawn`, `enrollment.transferred`, ...) that
`tracker.enrollments.trail` replays."""

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
from tracker.lifecycle.models import EnrollmentChange


@replays
class EnrollmentChanges(StatusReplay):
    """Each change row is added by one event that records its kind; rows are never edited or
    removed, so the live kind must be the recorded one and every recorded row must be there."""

    object_types = ("enrollment_changes",)

    def recorded(self, after: Any) -> str | None:
        """The `kind` the event's after holds."""
        return after.get("kind") if isinstance(after, dict) else None

    def differences(self, session: Session) -> Iterator[Discrepancy]:
        """Change rows written or altered behind the application, or removed."""
        rows = stream(
            session,
            select(EnrollmentChange.id, EnrollmentChange.kind).order_by(EnrollmentChange.id),
        )
        yield from compare("enrollment_changes", self.status, rows, lambda k: f"kind {k}", "kind")
