"""Demo sign-offs: signatures for the demo's signed sessions, a session returned with a
question, one reopened by staff (its voided signature kept), and verified credentials for both
demo supervisors so they can sign."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from tracker.eligibility.models import Insurance, Licence
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.signoffs.binding import content_hash
from tracker.signoffs.models import SESSION_MEANING, EntryQuestion, Signature
from tracker.supervision.models import SupervisedSession
from tracker.training.models import ExperientialEntry

REFLECTION = (
    "I led the preparation conversation and agreed a grounding signal with the client; during "
    "dosing I monitored blood pressure and breathing and sat with a wave of grief without "
    "steering it; in integration we linked the imagery to the client's goals for the week."
)


def _at(day, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour, 0), UTC)


def _credentials(context) -> None:
    today, staff = context.today, context.staff
    for n, supervisor in enumerate(context.supervisors):
        verified = _at(today - timedelta(days=120))
        db.session.add_all(
            [
                Licence(
                    trainee_id=supervisor.id,
                    licence_type=("PsyD", "MD")[n % 2],
                    number=f"PSY {20451 + n}",
                    jurisdiction="CA",
                    issued_on=today - timedelta(days=3650),
                    expires_on=today + timedelta(days=500),
                    verified_at=verified,
                    verified_by_id=staff.id,
                    verification_method="primary_source",
                    verification_note="Board look-up",
                ),
                Insurance(
                    trainee_id=supervisor.id,
                    carrier="Allied Professional Mutual",
                    policy_number=f"APM-7{n}120",
                    starts_on=today - timedelta(days=200),
                    ends_on=today + timedelta(days=165),
                    verified_at=verified,
                    verified_by_id=staff.id,
                    verification_method="carrier_confirmation",
                ),
            ]
        )


def _signature(session: SupervisedSession, signer, signed_at: datetime) -> Signature:
    return Signature(
        enrollment_id=session.enrollment_id,
        entry_type="session",
        entry_id=session.id,
        signer_id=signer.id,
        printed_name=signer.full_name,
        meaning=SESSION_MEANING,
        signed_at=signed_at,
        content_hash=content_hash(session),
        void_reason="",
    )


def _new_session(enrollment: Enrollment, supervisor, day, status: str, code: str):
    session = SupervisedSession(
        enrollment_id=enrollment.id,
        on=day,
        client_code=code,
        setting="private_practice",
        route="sublingual",
        trainee_role="lead",
        supervision_mode="video_review",
        covers_preparation=True,
        covers_dosing=True,
        covers_integration=True,
        duration_minutes=150,
        reflection=REFLECTION,
        status=status,
        supervisor_id=supervisor.id,
        submitted_at=_at(day + timedelta(days=1)),
    )
    db.session.add(session)
    db.session.flush()
    return session


def add_demo(context, summary) -> None:
    """Add the sign-off records to the demo built so far (the caller commits)."""
    today, staff = context.today, context.staff
    sup1, _sup2 = context.supervisors
    jordan = context.trainees[0]
    _credentials(context)
    db.session.flush()

    # Signed sessions of the earlier demo step get the signature they stand for.
    for session in db.session.scalars(
        select(SupervisedSession).where(SupervisedSession.status == "signed")
    ):
        signer = session.supervisor or sup1
        db.session.add(_signature(session, signer, session.signed_at or _at(session.on)))

    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.trainee_id == jordan.id))
    if enrollment is None:
        return
    # Returned with a question; the trainee has not answered yet.
    returned = _new_session(enrollment, sup1, today - timedelta(days=20), "returned", "KC-6TB3R8")
    db.session.add(
        EntryQuestion(
            enrollment_id=enrollment.id,
            entry_type="session",
            entry_id=returned.id,
            author_id=sup1.id,
            kind="question",
            body="Which monitoring protocol did you follow during dosing, and who held the "
            "medical responsibility? Please add it to your reflection.",
            created_at=_at(today - timedelta(days=16)),
        )
    )
    # Reopened by staff: the old signature is voided with the reason, the session waits again.
    reopened = _new_session(enrollment, sup1, today - timedelta(days=28), "submitted", "KC-2MV9H5")
    signature = _signature(reopened, sup1, _at(today - timedelta(days=25)))
    signature.voided_at = _at(today - timedelta(days=4), 10)
    signature.voided_by_id = staff.id
    signature.void_reason = (
        "Signed under the wrong supervision mode: the session was a video review; "
        "please confirm and sign again."
    )
    db.session.add(signature)
    db.session.add(
        EntryQuestion(
            enrollment_id=enrollment.id,
            entry_type="session",
            entry_id=reopened.id,
            author_id=staff.id,
            kind="reopen_reason",
            body=signature.void_reason,
            created_at=signature.voided_at,
        )
    )
    # An experiential activity waiting three days for the supervisor.
    db.session.add(
        ExperientialEntry(
            enrollment_id=enrollment.id,
            kind="monitoring",
            on=today - timedelta(days=3),
            hours=Decimal(3),
            facilitator="Dr. Alex Chen",
            status="pending",
            created_at=_at(today - timedelta(days=3)),
        )
    )
    db.session.flush()
    summary.notes.append(
        "Dr. Alex Chen has sessions and hours waiting for sign-off; Jordan has a session "
        "returned with a question and one reopened by staff."
    )
