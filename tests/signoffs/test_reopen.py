"""Staff reopen a signed record with a written reason: the signature is voided but kept, and the
entry waits for sign-off again."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_session
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.signoffs.models import EntryQuestion
from tracker.signoffs.models import Signature
from tracker.supervision.models import SupervisedSession
from tracker.training.models import DidacticEntry

REASON = "Signed under the wrong supervision mode; please check and sign again."


def _signed_session(as_user, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    post_form(
        as_user(supervisor),
        "/signoffs/sign",
        sign_form(f"session:{session.id}"),
    )
    return session


def test_staff_reopen_voids_the_signature_and_keeps_it(
    as_user, trainee, enrollment, supervisor, staff
):
    session = _signed_session(as_user, enrollment, supervisor)
    client = as_user(staff)
    response = post_form(client, f"/signoffs/session/{session.id}/reopen", {"reason": REASON})
    assert response.status_code == 302
    db.session.expire_all()
    session = db.session.get(SupervisedSession, session.id)
    assert session.status == "submitted" and session.signed_at is None
    signature = db.session.scalar(select(Signature))
    assert signature.voided_at is not None
    assert signature.voided_by_id == staff.id and signature.void_reason == REASON
    reason = db.session.scalar(select(EntryQuestion))
    assert reason.kind == "reopen_reason" and reason.body == REASON
    assert "signature.voided" in db.session.scalars(select(AuditEvent.action)).all()
    page = as_user(trainee).get(f"/supervision/sessions/{session.id}").get_data(as_text=True)
    assert "Voided signature" in page and REASON in page
    # It can be signed again: a new live signature next to the voided one.
    post_form(
        as_user(supervisor),
        "/signoffs/sign",
        sign_form(f"session:{session.id}"),
    )
    signatures = db.session.scalars(select(Signature).order_by(Signature.id)).all()
    assert [s.voided_at is None for s in signatures] == [False, True]


def test_reopening_needs_a_written_reason(as_user, enrollment, supervisor, staff):
    session = _signed_session(as_user, enrollment, supervisor)
    client = as_user(staff)
    for reason in ("", "too short"):
        response = post_form(client, f"/signoffs/session/{session.id}/reopen", {"reason": reason})
        assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(SupervisedSession, session.id).status == "signed"
    assert db.session.scalar(select(Signature)).voided_at is None


def test_supervisors_and_trainees_cannot_reopen(as_user, trainee, enrollment, supervisor):
    session = _signed_session(as_user, enrollment, supervisor)
    for person in (supervisor, trainee):
        response = post_form(
            as_user(person), f"/signoffs/session/{session.id}/reopen", {"reason": REASON}
        )
        assert response.status_code == 403
    assert db.session.scalar(select(Signature)).voided_at is None


def test_a_verified_hours_entry_reopens_to_pending(as_user, enrollment, staff, create_user):
    entry = waiting_didactic(enrollment)
    other_staff = create_user("staff", name="Second Staff")
    post_form(as_user(staff), "/signoffs/sign", sign_form(f"didactic:{entry.id}"))
    post_form(as_user(other_staff), f"/signoffs/didactic/{entry.id}/reopen", {"reason": REASON})
    db.session.expire_all()
    entry = db.session.get(DidacticEntry, entry.id)
    assert entry.status == "pending" and entry.verified_at is None
