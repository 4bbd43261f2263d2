"""Supervised sessions and case presentations as the progress engine reads them."""

from __future__ import annotations

from tracker.progress import facts as f
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Gathered
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession


@contributor
def supervision_facts(selection: Selection) -> Contribution:
    """`sessions` and `case_presentations` per enrollment, one query each."""
    found = Gathered()
    for session in selection.rows(
        SupervisedSession, "id", "on", "status", "submitted_at", "duration_minutes"
    ):
        submitted_on = selection.local_date(session.enrollment_id, session.submitted_at)
        found.add(
            session.enrollment_id,
            "sessions",
            f.SupervisedSession(
                on=session.on,
                status=session.status,
                submitted_on=submitted_on,
                duration_minutes=session.duration_minutes,
                id=session.id,
            ),
        )
    for enrollment_id, case_id, on in selection.rows(CasePresentation, "id", "on"):
        found.add(enrollment_id, "case_presentations", f.CasePresentation(on=on, id=case_id))
    return found.contribution()
