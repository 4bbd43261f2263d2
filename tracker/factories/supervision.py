"""Builders of supervised sessions and case presentations."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from tracker.accounts.models import User
from tracker.enrollments.models import Enrollment
from tracker.factories import added
from tracker.factories import at
from tracker.factories.training import yesterday
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession

REFLECTION = (
    "I co-led the preparation conversation, watched the monitoring during dosing and noticed "
    "how my own pacing shaped the client's sense of safety; next time I will slow down."
)


def add_session(enrollment: Enrollment, status: str = "draft", **values) -> SupervisedSession:
    """A supervised session in `status` (the rules are not checked)."""
    fields = {
        "on": yesterday(),
        "client_code": "KC-7QX4M2",
        "setting": "clinic",
        "route": "im",
        "trainee_role": "co_therapist",
        "supervision_mode": "live",
        "covers_preparation": True,
        "covers_dosing": True,
        "covers_integration": False,
        "duration_minutes": 120,
        "reflection": REFLECTION,
    }
    fields.update(values)
    return added(SupervisedSession(enrollment_id=enrollment.id, status=status, **fields))


def dated_session(
    enrollment: Enrollment,
    supervisor: User,
    on: date,
    status: str,
    code: str,
    reflection: str = REFLECTION,
    **values,
) -> SupervisedSession:
    """A session held on `on`: a draft, or sent to `supervisor` the next day (and signed two
    days after that when `status` is signed); `values` change other columns."""
    sent = status != "draft"
    return add_session(
        enrollment,
        status,
        on=on,
        client_code=code,
        covers_integration=sent,
        reflection=reflection,
        supervisor_id=supervisor.id if sent else None,
        submitted_at=at(on + timedelta(days=1)) if sent else None,
        signed_at=at(on + timedelta(days=3)) if status == "signed" else None,
        **values,
    )


def add_presentation(
    enrollment: Enrollment, on: date, title: str, audience: str = "peer_group"
) -> CasePresentation:
    """A case presentation given on `on`."""
    return added(
        CasePresentation(enrollment_id=enrollment.id, on=on, audience=audience, title=title)
    )
