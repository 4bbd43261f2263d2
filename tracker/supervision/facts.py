"""Supervised sessions and case presentations as the progress engine reads them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.progress import facts as f
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession


@contributor
def supervision_facts(selection: Selection) -> Contribution:
    """`sessions` and `case_presentations` per enrollment, one query each."""
    ids = selection.ids
    found: dict[int, dict[str, list[Any]]] = defaultdict(
        lambda: {"sessions": [], "case_presentations": []}
    )
    for session in db.session.execute(
        select(
            SupervisedSession.enrollment_id,
            SupervisedSession.id,
            SupervisedSession.on,
            SupervisedSession.status,
            SupervisedSession.submitted_at,
            SupervisedSession.duration_minutes,
        ).where(SupervisedSession.enrollment_id.in_(ids))
    ):
        found[session.enrollment_id]["sessions"].append(
            f.SupervisedSession(
                on=session.on,
                status=session.status,
                submitted_on=selection.local_date(session.enrollment_id, session.submitted_at),
                duration_minutes=session.duration_minutes,
                id=session.id,
            )
        )
    for enrollment_id, case_id, on in db.session.execute(
        select(CasePresentation.enrollment_id, CasePresentation.id, CasePresentation.on).where(
            CasePresentation.enrollment_id.in_(ids)
        )
    ):
        found[enrollment_id]["case_presentations"].append(f.CasePresentation(on=on, id=case_id))
    return {
        enrollment_id: {name: tuple(values) for name, values in lists.items()}
        for enrollment_id, lists in found.items()
    }
