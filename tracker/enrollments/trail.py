"""Enrollments as the audit trail records them: the status, and the cohort and track, each last
event gave an enrollment, for `flask audit verify` to check the live rows against (see
`tracker.audit.reconcile`)."""

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
    admitted, declined, withdrawn, readmitted, deferred, transferred) sets it; the live status
    must be the last one recorded."""

    object_types = ("enrollments",)

    def recorded(self, after: Any) -> str | None:
        """The `status` the event's after holds."""
        return after.get("status") if isinstance(after, dict) else None

    def differences(self, session: Session) -> Iterator[Discrepancy]:
        """Enrollments whose status is not the last one recorded, or that no event records."""
        rows = stream(session, select(Enrollment.id, Enrollment.status).order_by(Enrollment.id))
        yield from compare("enrollments", self.status, rows, lambda s: f"status {s}", "status")


@replays
class EnrollmentPlacements(StatusReplay):
    """Every event that records an enrollment's cohort and track (created, track changed,
    deferred, transferred) sets them; the live ones must be the last recorded."""

    object_types = ("enrollments",)

    def recorded(self, after: Any) -> str | None:
        """The cohort and track the event's after holds, as "cohort/track"."""
        if not isinstance(after, dict) or "cohort_id" not in after or "track_id" not in after:
            return None
        return _placement(after["cohort_id"], after["track_id"])

    def differences(self, session: Session) -> Iterator[Discrepancy]:
        """Enrollments whose cohort or track is not the last one recorded."""
        rows = (
            (row_id, _placement(cohort_id, track_id))
            for row_id, cohort_id, track_id in stream(
                session,
                select(Enrollment.id, Enrollment.cohort_id, Enrollment.track_id).order_by(
                    Enrollment.id
                ),
            )
        )
        yield from compare("enrollments", self.status, rows, _describe, "cohort or track")


def _placement(cohort_id: Any, track_id: Any) -> str:
    return (
        f"{cohort_id if cohort_id is not None else '-'}/{track_id if track_id is not None else '-'}"
    )


def _describe(placement: str) -> str:
    cohort, track = placement.split("/")
    return f"cohort {cohort}, track {track}"
