"""Draft -> submitted (to the current primary supervisor) -> withdrawn back to draft; signed
sessions are final; only drafts are deleted."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import post_form
from tests.signoffs.factories import give_credentials
from tests.training.factories import REFLECTION
from tests.training.factories import add_session
from tests.training.factories import assign
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.supervision.models import SupervisedSession


def edit_data(**changes):
    data = {
        "on": iso(yesterday()),
        "client_code": "KC-7RB234",
        "setting": "hospital",
        "route": "iv",
        "trainee_role": "observer",
        "supervision_mode": "live",
        "covers_dosing": "y",
        "duration_minutes": "60",
        "reflection": REFLECTION + " Edited.",
    }
    data.update(changes)
    return data


def test_submit_sets_the_current_primary_supervisor(signed_in, enrollment, create_user):
    old = create_user("supervisor", name="Old Primary")
    backup = create_user("supervisor", name="Bea Backup")
    primary = create_user("supervisor", name="Pat Primary")
    assign(enrollment, old, ended=True)
    assign(enrollment, backup, kind="backup")
    assign(enrollment, primary)
    session = add_session(enrollment)
    response = post_form(signed_in, f"/supervision/sessions/{session.id}/submit")
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.status == "submitted"
    assert session.supervisor_id == primary.id
    assert session.submitted_at is not None
    assert "session.submitted" in db.session.scalars(select(AuditEvent.action)).all()
    page = signed_in.get(f"/supervision/sessions/{session.id}").get_data(as_text=True)
    assert "Pat Primary" in page
    assert "Submitted, waiting for sign-off" in page


def test_submit_without_a_primary_waits_for_staff(signed_in, enrollment, create_user):
    assign(enrollment, create_user("supervisor"), kind="backup")
    session = add_session(enrollment)
    post_form(signed_in, f"/supervision/sessions/{session.id}/submit")
    db.session.refresh(session)
    assert session.status == "submitted"
    assert session.supervisor_id is None
    page = signed_in.get(f"/supervision/sessions/{session.id}").get_data(as_text=True)
    assert "Waiting for staff to assign a supervisor" in page
    listing = signed_in.get("/supervision/").get_data(as_text=True)
    assert "Waiting for staff to assign" in listing


def test_withdraw_returns_to_draft_and_clears_the_supervisor(signed_in, enrollment, create_user):
    assign(enrollment, create_user("supervisor"))
    session = add_session(enrollment)
    post_form(signed_in, f"/supervision/sessions/{session.id}/submit")
    response = post_form(signed_in, f"/supervision/sessions/{session.id}/withdraw")
    assert response.status_code == 302
    db.session.refresh(session)
    assert (session.status, session.supervisor_id, session.submitted_at) == ("draft", None, None)
    url = f"/supervision/sessions/{session.id}/edit"
    assert post_form(signed_in, url, edit_data()).status_code == 302
    db.session.refresh(session)
    assert session.client_code == "KC-7RB234"


def test_submitted_session_cannot_be_edited_or_deleted(signed_in, enrollment):
    session = add_session(enrollment, status="submitted")
    url = f"/supervision/sessions/{session.id}/edit"
    response = signed_in.get(url, follow_redirects=True)
    assert "cannot be changed now" in response.get_data(as_text=True)
    response = post_form(signed_in, url, edit_data(), follow_redirects=True)
    assert "cannot be changed now" in response.get_data(as_text=True)
    response = post_form(
        signed_in, f"/supervision/sessions/{session.id}/delete", follow_redirects=True
    )
    assert "Only a draft session can be deleted" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert (session.status, session.client_code) == ("submitted", "KC-7QX4M2")
    assert count(SupervisedSession) == 1


def test_signed_session_is_read_only(signed_in, enrollment):
    session = add_session(enrollment, status="signed")
    base = f"/supervision/sessions/{session.id}"
    page = signed_in.get(base).get_data(as_text=True)
    assert "Signed off" in page and "Withdraw" not in page and ">Edit<" not in page
    for action, message in (
        ("withdraw", "Only a submitted session that is not signed"),
        ("submit", "already submitted or signed off"),
        ("delete", "Only a draft session can be deleted"),
    ):
        response = post_form(signed_in, f"{base}/{action}", follow_redirects=True)
        assert message in response.get_data(as_text=True)
    response = post_form(signed_in, f"{base}/edit", edit_data(), follow_redirects=True)
    assert "cannot be changed now" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert (session.status, session.client_code) == ("signed", "KC-7QX4M2")
    assert count(SupervisedSession) == 1


def test_returned_session_can_be_edited_and_resubmitted(signed_in, enrollment, create_user):
    supervisor = create_user("supervisor")
    assign(enrollment, supervisor)
    session = add_session(enrollment, status="returned")
    url = f"/supervision/sessions/{session.id}/edit"
    assert post_form(signed_in, url, edit_data()).status_code == 302
    db.session.refresh(session)
    assert session.status == "returned"
    post_form(signed_in, f"/supervision/sessions/{session.id}/submit")
    db.session.refresh(session)
    assert (session.status, session.supervisor_id) == ("submitted", supervisor.id)


def test_delete_draft(signed_in, enrollment):
    session = add_session(enrollment)
    response = post_form(signed_in, f"/supervision/sessions/{session.id}/delete")
    assert response.status_code == 302
    assert count(SupervisedSession) == 0


def test_invalid_edit_changes_nothing(signed_in, enrollment):
    session = add_session(enrollment)
    url = f"/supervision/sessions/{session.id}/edit"
    response = post_form(signed_in, url, edit_data(reflection="too short"))
    assert "between 100 and 5000" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.client_code == "KC-7QX4M2"
    assert session.reflection == REFLECTION


def test_list_counts_signed_of_required(signed_in, enrollment):
    add_session(enrollment, status="signed")
    add_session(enrollment, status="submitted")
    add_session(enrollment, status="draft")
    # Without a licence and insurance on the day, no session counts (as step 7 says).
    page = signed_in.get("/supervision/").get_data(as_text=True)
    assert "Signed off: 0 of 4 required" in page
    assert "Not counted (no valid licence or insurance on the day): 2." in page
    give_credentials(enrollment.trainee)
    page = signed_in.get("/supervision/").get_data(as_text=True)
    assert "Signed off: 1 of 4 required" in page
    assert "Waiting for sign-off: 1" in page
    assert "drafts: 1" in page
    assert "Case presentations: 0 of 1 required" in page
    assert "Not counted" not in page


def test_transitions_need_the_csrf_token(signed_in, enrollment):
    session = add_session(enrollment)
    assert signed_in.post(f"/supervision/sessions/{session.id}/submit").status_code == 400
    db.session.refresh(session)
    assert session.status == "draft"
