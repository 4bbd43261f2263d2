"""The rules for supervised sessions and case presentations.

A session moves draft -> submitted (the trainee) -> signed or returned (the supervisor, a later
feature). The trainee edits a draft or a returned session, withdraws a submitted one back to
draft until it is signed, and deletes only a draft. The supervisor is taken at submission from
the enrollment's current primary assignment, never from the trainee's input. Functions flush and
record an audit event; the caller commits.

Every change of a session's status or content holds the session's row and checks the status on
the held row (`tracker.core.guarded`): a signature that got there first wins, and the trainee's
change is refused instead of landing on the signed session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.audit.services import deleted
from tracker.core.errors import Refused
from tracker.core.guarded import lock_if
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.supervision import client_codes
from tracker.supervision.models import AUDIENCES
from tracker.supervision.models import ROUTES
from tracker.supervision.models import SETTINGS
from tracker.supervision.models import SUPERVISION_MODES
from tracker.supervision.models import TRAINEE_ROLES
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession
from tracker.training.services import ReadOnly
from tracker.training.services import check_training_date
from tracker.training.services import clean_line
from tracker.training.services import clean_text
from tracker.training.services import require_admitted

REFLECTION_MIN = 100
REFLECTION_MAX = 5000
DURATION_MIN = 15
DURATION_MAX = 720


@dataclass(frozen=True)
class SessionInput:
    """What the trainee typed for a supervised session."""

    on: date | None
    client_code: str
    setting: str
    route: str
    trainee_role: str
    supervision_mode: str
    covers_preparation: bool
    covers_dosing: bool
    covers_integration: bool
    duration_minutes: Any
    reflection: str


@dataclass(frozen=True)
class PresentationInput:
    """What the trainee typed for a case presentation."""

    on: date | None
    title: str
    audience: str
    session_id: int | None = None


def _choice(value: str | None, allowed: dict[str, str], field: str, what: str) -> str:
    if value not in allowed:
        raise Refused(f"Choose the {what}.", field)
    return value


def _session_values(enrollment: Enrollment, data: SessionInput) -> dict[str, Any]:
    on = check_training_date(enrollment, data.on)
    problem = client_codes.code_problem(data.client_code)
    if problem:
        raise Refused(problem, "client_code")
    setting = _choice(data.setting, SETTINGS, "setting", "setting")
    route = _choice(data.route, ROUTES, "route", "administration route")
    role = _choice(data.trainee_role, TRAINEE_ROLES, "trainee_role", "role you had")
    mode = _choice(data.supervision_mode, SUPERVISION_MODES, "supervision_mode", "supervision mode")
    phases = (
        bool(data.covers_preparation),
        bool(data.covers_dosing),
        bool(data.covers_integration),
    )
    if not any(phases):
        raise Refused(
            "Tick at least one phase: preparation, dosing or integration.", "covers_preparation"
        )
    duration = data.duration_minutes
    if isinstance(duration, bool) or not isinstance(duration, int):
        raise Refused("Enter the duration as a whole number of minutes.", "duration_minutes")
    if not DURATION_MIN <= duration <= DURATION_MAX:
        raise Refused(
            f"Enter between {DURATION_MIN} and {DURATION_MAX} minutes.", "duration_minutes"
        )
    reflection = clean_text(
        data.reflection, "reflection", REFLECTION_MAX, REFLECTION_MIN, "reflection"
    )
    return {
        "on": on,
        "client_code": client_codes.normalise(data.client_code),
        "setting": setting,
        "route": route,
        "trainee_role": role,
        "supervision_mode": mode,
        "covers_preparation": phases[0],
        "covers_dosing": phases[1],
        "covers_integration": phases[2],
        "duration_minutes": duration,
        "reflection": reflection,
    }


def create_session(enrollment: Enrollment | None, data: SessionInput) -> SupervisedSession:
    """Save a new session as a draft for an admitted enrollment."""
    enrollment = require_admitted(enrollment)
    values = _session_values(enrollment, data)
    session = SupervisedSession(enrollment_id=enrollment.id, status="draft", **values)
    session.enrollment = enrollment
    added("session.created", session, subject_user_id=enrollment.trainee_id)
    return session


def _require_status(session: SupervisedSession, allowed: tuple[str, ...], message: str) -> None:
    """Hold the session's row while its status is one of `allowed`; refused with `ReadOnly`
    otherwise (`message` when the page already showed that status)."""
    require_admitted(session.enrollment)
    if session.status not in allowed:
        raise ReadOnly(message)
    try:
        lock_if(
            session,
            SupervisedSession.status.in_(allowed),
            refused=lambda now: (
                f"This session changed meanwhile (it is now {now.status_label.lower()}); "
                "nothing was saved. Look at it again."
            ),
        )
    except Refused as error:
        raise ReadOnly(error.message) from None


def update_session(session: SupervisedSession, data: SessionInput) -> SupervisedSession:
    """Change a draft or returned session (a returned one stays returned until resubmitted)."""
    _require_status(
        session,
        ("draft", "returned"),
        "Only a draft or a returned session can be changed; withdraw a submitted one first.",
    )
    values = _session_values(session.enrollment, data)
    changed("session.updated", session, values, subject_user_id=session.enrollment.trainee_id)
    return session


def primary_supervisor_id(enrollment_id: int) -> int | None:
    """The supervisor of the enrollment's current primary assignment, if there is one."""
    stmt = (
        select(SupervisorAssignment.supervisor_id)
        .where(
            SupervisorAssignment.enrollment_id == enrollment_id,
            SupervisorAssignment.kind == "primary",
            SupervisorAssignment.ended_at.is_(None),
        )
        .order_by(SupervisorAssignment.assigned_at.desc(), SupervisorAssignment.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def submit_session(session: SupervisedSession) -> SupervisedSession:
    """Send a draft or returned session for sign-off, to the current primary supervisor."""
    _require_status(
        session, ("draft", "returned"), "This session is already submitted or signed off."
    )
    # Recheck the content: the date may have become invalid since the draft was saved.
    check_training_date(session.enrollment, session.on)
    changed(
        "session.submitted",
        session,
        {
            "status": "submitted",
            "submitted_at": utcnow(),
            "supervisor_id": primary_supervisor_id(session.enrollment_id),
        },
        subject_user_id=session.enrollment.trainee_id,
    )
    return session


def withdraw_session(session: SupervisedSession) -> SupervisedSession:
    """Take a submitted session back to draft (before it is signed)."""
    _require_status(
        session, ("submitted",), "Only a submitted session that is not signed can be withdrawn."
    )
    changed(
        "session.withdrawn",
        session,
        {"status": "draft", "submitted_at": None, "supervisor_id": None},
        subject_user_id=session.enrollment.trainee_id,
    )
    return session


def delete_session(session: SupervisedSession) -> None:
    """Delete a draft session."""
    _require_status(session, ("draft",), "Only a draft session can be deleted.")
    deleted("session.deleted", session, subject_user_id=session.enrollment.trainee_id)


# -- case presentations -------------------------------------------------------------------------


def create_presentation(enrollment: Enrollment | None, data: PresentationInput) -> CasePresentation:
    """Record a case presentation, linked optionally to one of the enrollment's sessions."""
    enrollment = require_admitted(enrollment)
    on = check_training_date(enrollment, data.on)
    title = clean_line(data.title, "title", "title")
    audience = _choice(data.audience, AUDIENCES, "audience", "audience")
    session_id = data.session_id
    if session_id is not None:
        owner = db.session.scalar(
            select(SupervisedSession.enrollment_id).where(SupervisedSession.id == session_id)
        )
        if owner != enrollment.id:
            raise Refused("Choose one of your own sessions, or none.", "session_id")
    item = CasePresentation(
        enrollment_id=enrollment.id, on=on, title=title, audience=audience, session_id=session_id
    )
    item.enrollment = enrollment
    added("presentation.created", item, subject_user_id=enrollment.trainee_id)
    return item


def delete_presentation(item: CasePresentation) -> None:
    """Delete a case presentation."""
    require_admitted(item.enrollment)
    deleted("presentation.deleted", item, subject_user_id=item.enrollment.trainee_id)
