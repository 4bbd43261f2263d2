"""Builders of entries waiting for a supervisor, signatures and questions."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from tracker.accounts.models import User
from tracker.audit.services import audited
from tracker.audit.services import record
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.factories import added
from tracker.factories import id_of
from tracker.factories.supervision import add_session
from tracker.factories.training import add_ce
from tracker.factories.training import add_didactic
from tracker.factories.training import add_experiential
from tracker.signoffs.binding import bind
from tracker.signoffs.models import CE_MEANING
from tracker.signoffs.models import SESSION_MEANING
from tracker.signoffs.models import EntryQuestion
from tracker.signoffs.models import Signature
from tracker.supervision.models import SupervisedSession
from tracker.training.models import ContinuingEducation
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry


def waiting_session(
    enrollment: Enrollment, supervisor: User | None = None, days_ago: int = 2, **values
) -> SupervisedSession:
    """A submitted session, waiting `days_ago` days."""
    return add_session(
        enrollment,
        status="submitted",
        supervisor_id=id_of(supervisor),
        submitted_at=utcnow() - timedelta(days=days_ago),
        **values,
    )


def waiting_didactic(enrollment: Enrollment, days_ago: int = 1, **values) -> DidacticEntry:
    """A pending didactic entry logged `days_ago` days ago."""
    return add_didactic(enrollment, created_at=utcnow() - timedelta(days=days_ago), **values)


def waiting_experiential(enrollment: Enrollment, days_ago: int = 1, **values) -> ExperientialEntry:
    """A pending experiential entry logged `days_ago` days ago."""
    return add_experiential(enrollment, created_at=utcnow() - timedelta(days=days_ago), **values)


def waiting_ce(
    enrollment: Enrollment, amount: str = "3", days_ago: int = 1, **values
) -> ContinuingEducation:
    """A CE entry pending staff review, submitted `days_ago` days ago."""
    moment = utcnow() - timedelta(days=days_ago)
    return add_ce(
        enrollment, amount, status="pending", created_at=moment, updated_at=moment, **values
    )


def approve_ce(entry: ContinuingEducation, staff: User, signed_at: datetime | None = None):
    """The pending CE entry approved by `staff`: its signature "CE reviewed" bound to the entry
    as it is now, and the event signing records."""
    moment = signed_at or utcnow()
    entry.status, entry.verified_at, entry.verified_by_id = "approved", moment, staff.id
    db.session.flush()
    signature = added(
        Signature(
            enrollment_id=entry.enrollment_id,
            entry_type="ce",
            entry_id=entry.id,
            signer_id=staff.id,
            printed_name=staff.full_name,
            meaning=CE_MEANING,
            signed_at=moment,
            **bind(entry),
            void_reason="",
        )
    )
    record(
        "signature.signed",
        signature,
        before={"entry_status": "pending"},
        after={**audited(signature), "entry_status": "approved"},
        actor_id=staff.id,
        subject_user_id=entry.enrollment.trainee_id,
    )
    return entry


def approved_ce(
    enrollment: Enrollment,
    staff: User,
    amount: str = "3",
    signed_at: datetime | None = None,
    **values,
) -> ContinuingEducation:
    """A CE entry drawn for review and approved by `staff` (with its signature)."""
    return approve_ce(add_ce(enrollment, amount, status="pending", **values), staff, signed_at)


def reject_ce(
    entry: ContinuingEducation, staff: User, reason: str, rejected_at: datetime | None = None
) -> EntryQuestion:
    """The pending CE entry rejected by `staff` with `reason` (kept in its thread), with the
    event rejecting records."""
    entry.status = "rejected"
    db.session.flush()
    note = added(
        EntryQuestion(
            enrollment_id=entry.enrollment_id,
            entry_type="ce",
            entry_id=entry.id,
            author_id=staff.id,
            kind="question",
            body=reason,
            created_at=rejected_at or utcnow(),
        )
    )
    record(
        "entry.returned",
        note,
        before={"entry_type": "ce", "entry_id": entry.id, "status": "pending"},
        after={"entry_type": "ce", "entry_id": entry.id, "status": "rejected", "question": reason},
        actor_id=staff.id,
        subject_user_id=entry.enrollment.trainee_id,
    )
    return note


def session_signature(session: SupervisedSession, signer: User, signed_at: datetime) -> Signature:
    """The signature `signer` gave the session as it is now, with the event signing records."""
    signature = added(
        Signature(
            **_about(session),
            signer_id=signer.id,
            printed_name=signer.full_name,
            meaning=SESSION_MEANING,
            signed_at=signed_at,
            **bind(session),
            void_reason="",
        )
    )
    record(
        "signature.signed",
        signature,
        before={"entry_status": "submitted"},
        after={**audited(signature), "entry_status": session.status},
        actor_id=signer.id,
        subject_user_id=session.enrollment.trainee_id,
    )
    return signature


def void_signature(
    signature: Signature, staff: User, voided_at: datetime, reason: str
) -> Signature:
    """The signature voided by `staff` at `voided_at`, with the event reopening records (the
    entry's status is left as it is)."""
    before = audited(signature)
    signature.voided_at = voided_at
    signature.voided_by_id = staff.id
    signature.void_reason = reason
    db.session.flush()
    record(
        "signature.voided",
        signature,
        before={"signature": before},
        after={
            "entry_type": signature.entry_type,
            "entry_id": signature.entry_id,
            "signature": audited(signature),
            "reason": reason,
        },
        actor_id=staff.id,
    )
    return signature


def add_question(
    session: SupervisedSession, author: User, body: str, created_at: datetime, kind: str
) -> EntryQuestion:
    """A question on a session (or the reason it was reopened, kind `reopen_reason`)."""
    return added(
        EntryQuestion(
            **_about(session), author_id=author.id, kind=kind, body=body, created_at=created_at
        )
    )


def _about(session: SupervisedSession) -> dict[str, Any]:
    """The columns that tie a signature or a question to its session."""
    return {"enrollment_id": session.enrollment_id, "entry_type": "session", "entry_id": session.id}
