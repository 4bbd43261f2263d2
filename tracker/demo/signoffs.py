"""Demo sign-offs: signatures for the demo's signed sessions, a session returned with a
question, one reopened by staff (its voided signature kept), and verified credentials for both
demo supervisors so they can sign. Built with tracker.factories."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.factories import at
from tracker.factories.eligibility import add_insurance
from tracker.factories.eligibility import add_licence
from tracker.factories.signoffs import add_question
from tracker.factories.signoffs import session_signature
from tracker.factories.signoffs import void_signature
from tracker.factories.supervision import dated_session
from tracker.factories.training import add_experiential
from tracker.supervision.models import SupervisedSession

REFLECTION = (
    "I led the preparation conversation and agreed a grounding signal with the client; during "
    "dosing I monitored blood pressure and breathing and sat with a wave of grief without "
    "steering it; in integration we linked the imagery to the client's goals for the week."
)


def _credentials(context) -> None:
    today, staff = context.today, context.staff
    verified = at(today - timedelta(days=120))
    for n, supervisor in enumerate(context.supervisors):
        add_licence(
            supervisor,
            licence_type=("PsyD", "MD")[n % 2],
            number=f"PSY {20451 + n}",
            issued_on=today - timedelta(days=3650),
            expires_on=today + timedelta(days=500),
            verified_by=staff,
            verified_at=verified,
            verification_note="Board look-up",
        )
        add_insurance(
            supervisor,
            carrier="Allied Professional Mutual",
            policy_number=f"APM-7{n}120",
            starts_on=today - timedelta(days=200),
            ends_on=today + timedelta(days=165),
            verified_by=staff,
            verified_at=verified,
        )


def _sent_session(enrollment: Enrollment, supervisor, day, status: str, code: str):
    """A session held by video review on `day` and sent to `supervisor` the next day."""
    return dated_session(
        enrollment,
        supervisor,
        day,
        status,
        code,
        REFLECTION,
        setting="private_practice",
        route="sublingual",
        trainee_role="lead",
        supervision_mode="video_review",
        duration_minutes=150,
    )


def add_demo(context, summary) -> None:
    """Add the sign-off records to the demo built so far (the caller commits)."""
    today, staff = context.today, context.staff
    sup1, _sup2 = context.supervisors
    jordan = context.trainees[0]
    _credentials(context)

    # Signed sessions of the earlier demo step get the signature they stand for.
    for session in db.session.scalars(
        select(SupervisedSession).where(SupervisedSession.status == "signed")
    ).all():
        signer = session.supervisor or sup1
        session_signature(session, signer, session.signed_at or at(session.on))

    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.trainee_id == jordan.id))
    if enrollment is None:
        return
    # Returned with a question; the trainee has not answered yet.
    returned = _sent_session(enrollment, sup1, today - timedelta(days=20), "returned", "KC-6TB3R8")
    add_question(
        returned,
        sup1,
        "Which monitoring protocol did you follow during dosing, and who held the "
        "medical responsibility? Please add it to your reflection.",
        at(today - timedelta(days=16)),
        "question",
    )
    # Reopened by staff: the old signature is voided with the reason, the session waits again.
    reopened = _sent_session(enrollment, sup1, today - timedelta(days=28), "submitted", "KC-2MV9H5")
    signature = void_signature(
        session_signature(reopened, sup1, at(today - timedelta(days=25))),
        staff,
        at(today - timedelta(days=4), 10),
        "Signed under the wrong supervision mode: the session was a video review; "
        "please confirm and sign again.",
    )
    add_question(reopened, staff, signature.void_reason, signature.voided_at, "reopen_reason")
    # An experiential activity waiting three days for the supervisor.
    add_experiential(
        enrollment,
        "3",
        kind="monitoring",
        on=today - timedelta(days=3),
        facilitator="Dr. Alex Chen",
        created_at=at(today - timedelta(days=3)),
    )
    db.session.flush()
    summary.notes.append(
        "Dr. Alex Chen has sessions and hours waiting for sign-off; Jordan has a session "
        "returned with a question and one reopened by staff."
    )
