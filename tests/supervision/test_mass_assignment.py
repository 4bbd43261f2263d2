"""A trainee posting status, signature or supervisor fields changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import REFLECTION
from tests.training.factories import add_session
from tests.training.factories import assign
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.supervision.models import SupervisedSession


def data(trainee_id, **extra):
    values = {
        "on": iso(yesterday()),
        "client_code": "KC-7QX4M2",
        "setting": "clinic",
        "route": "im",
        "trainee_role": "lead",
        "supervision_mode": "live",
        "covers_dosing": "y",
        "duration_minutes": "60",
        "reflection": REFLECTION,
        "status": "signed",
        "signed_at": "2026-01-01T00:00:00Z",
        "supervisor_id": str(trainee_id),
        "submitted_at": "2026-01-01T00:00:00Z",
        "enrollment_id": "999",
    }
    values.update(extra)
    return values


def test_new_session_ignores_status_signature_and_supervisor(signed_in, enrollment, trainee):
    assert post_form(signed_in, "/supervision/sessions/new", data(trainee.id)).status_code == 302
    session = db.session.scalars(select(SupervisedSession)).one()
    assert session.status == "draft"
    assert session.signed_at is None and session.submitted_at is None
    assert session.supervisor_id is None
    assert session.enrollment_id == enrollment.id


def test_edit_ignores_status_and_supervisor(signed_in, enrollment, trainee):
    session = add_session(enrollment)
    url = f"/supervision/sessions/{session.id}/edit"
    assert post_form(signed_in, url, data(trainee.id)).status_code == 302
    db.session.refresh(session)
    assert (session.status, session.supervisor_id, session.signed_at) == ("draft", None, None)


def test_submit_ignores_a_posted_supervisor(signed_in, enrollment, trainee, create_user):
    primary = create_user("supervisor")
    assign(enrollment, primary)
    session = add_session(enrollment)
    extra = {"supervisor_id": str(trainee.id), "status": "signed"}
    post_form(signed_in, f"/supervision/sessions/{session.id}/submit", extra)
    db.session.refresh(session)
    assert (session.status, session.supervisor_id) == ("submitted", primary.id)
    assert session.signed_at is None


def test_withdraw_cannot_sign(signed_in, enrollment, trainee):
    session = add_session(enrollment, status="submitted")
    post_form(signed_in, f"/supervision/sessions/{session.id}/withdraw", {"status": "signed"})
    db.session.refresh(session)
    assert session.status == "draft"
    assert session.signed_at is None
