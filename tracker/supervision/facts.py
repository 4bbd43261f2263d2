"""Supervised sessions and case presentations as the progress engine reads them."""

from __future__ import annotations

from sqlalchemy import Select

from tracker.progress import facts as f
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Gathered
from tracker.standing.contributors import Rows
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession


def _sessions(selection: Selection) -> Select:
    return selection.rows(
        SupervisedSession, "id", "on", "status", "submitted_at", "duration_minutes"
    )


def _presentations(selection: Selection) -> Select:
    return selection.rows(CasePresentation, "id", "on")


@contributor(_sessions, _presentations)
def supervision_facts(
    selection: Selection, session_rows: Rows, presentation_rows: Rows
) -> Contribution:
    """`sessions` and `case_presentations` per enrollment, one statement each."""
    found = Gathered()
    for session in session_rows:
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
    for enrollment_id, case_id, on in presentation_rows:
        found.add(enrollment_id, "case_presentations", f.CasePresentation(on=on, id=case_id))
    return found.contribution()
