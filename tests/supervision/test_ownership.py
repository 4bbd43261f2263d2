"""Another trainee's sessions and presentations are not found (404) and never changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import REFLECTION
from tests.training.factories import add_session
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession


@pytest.fixture
def intruder(client, auth, create_user):
    """A second admitted trainee, signed in."""
    other = create_user("trainee", name="Ivo Intruder")
    make_enrollment(other)
    auth.login(other)
    return client


def add_presentation(enrollment, session=None):
    item = CasePresentation(
        enrollment_id=enrollment.id,
        on=yesterday(),
        title="Tara's presentation",
        audience="peer_group",
        session_id=session.id if session else None,
    )
    db.session.add(item)
    db.session.commit()
    return item


EDIT = {
    "on": iso(yesterday()),
    "client_code": "KC-HACK42",
    "setting": "clinic",
    "route": "im",
    "trainee_role": "lead",
    "supervision_mode": "live",
    "covers_dosing": "y",
    "duration_minutes": "60",
    "reflection": REFLECTION,
}


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_other_trainees_session_is_not_found(intruder, enrollment, status):
    session = add_session(enrollment, status=status)
    base = f"/supervision/sessions/{session.id}"
    assert intruder.get(base).status_code == 404
    assert intruder.get(f"{base}/edit").status_code == 404
    assert post_form(intruder, f"{base}/edit", EDIT).status_code == 404
    for action in ("submit", "withdraw", "delete"):
        assert post_form(intruder, f"{base}/{action}").status_code == 404
    db.session.refresh(session)
    assert (session.status, session.client_code, session.supervisor_id) == (
        status,
        "KC-7QX4M2",
        None,
    )
    assert count(SupervisedSession) == 1


def test_other_trainees_presentation_is_not_found(intruder, enrollment):
    item = add_presentation(enrollment)
    response = post_form(intruder, f"/supervision/presentations/{item.id}/delete")
    assert response.status_code == 404
    assert count(CasePresentation) == 1


def test_presentation_cannot_point_at_another_trainees_session(intruder, enrollment):
    session = add_session(enrollment)
    data = {
        "on": iso(yesterday()),
        "title": "Borrowed case",
        "audience": "supervisor",
        "session_id": str(session.id),
    }
    response = post_form(intruder, "/supervision/presentations/new", data)
    assert "Choose one of your own sessions" in response.get_data(as_text=True)
    assert count(CasePresentation) == 0


def test_lists_show_only_own_records(intruder, enrollment):
    add_session(enrollment, client_code="KC-TARA99")
    add_presentation(enrollment)
    assert "KC-TARA99" not in intruder.get("/supervision/").get_data(as_text=True)
    page = intruder.get("/supervision/presentations").get_data(as_text=True)
    assert "Tara&#39;s presentation" not in page
    assert "Tara's presentation" not in page
    new_page = intruder.get("/supervision/presentations/new").get_data(as_text=True)
    assert "KC-TARA99" not in new_page


@pytest.mark.parametrize("role", ["supervisor", "staff", "admin"])
def test_session_pages_are_for_trainees(client, auth, create_user, enrollment, role):
    session = add_session(enrollment)
    auth.login(create_user(role))
    for url in ("/supervision/", f"/supervision/sessions/{session.id}"):
        assert client.get(url).status_code == 403
    assert post_form(client, f"/supervision/sessions/{session.id}/submit").status_code == 403
    assert db.session.scalars(select(SupervisedSession.status)).one() == "draft"
