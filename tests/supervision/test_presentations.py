"""Case presentations: record, link to an own session, delete; counts against the requirement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import add_session
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession

URL = "/supervision/presentations/new"


def valid(**changes):
    data = {"on": iso(yesterday()), "title": "Integration after IM dosing", "audience": "faculty"}
    data.update(changes)
    return data


def test_presentation_recorded_and_counted(signed_in, enrollment):
    assert post_form(signed_in, URL, valid()).status_code == 302
    item = db.session.scalars(select(CasePresentation)).one()
    assert (item.enrollment_id, item.audience, item.session_id) == (enrollment.id, "faculty", None)
    page = signed_in.get("/supervision/presentations").get_data(as_text=True)
    assert "1 of 1 required" in page
    assert "Program faculty" in page


def test_presentation_linked_to_own_session(signed_in, enrollment):
    session = add_session(enrollment, client_code="KC-LINK42")
    assert "KC-LINK42" in signed_in.get(URL).get_data(as_text=True)
    assert post_form(signed_in, URL, valid(session_id=str(session.id))).status_code == 302
    item = db.session.scalars(select(CasePresentation)).one()
    assert item.session_id == session.id
    assert "KC-LINK42" in signed_in.get("/supervision/presentations").get_data(as_text=True)


def test_deleting_the_linked_draft_keeps_the_presentation(signed_in, enrollment):
    session = add_session(enrollment)
    post_form(signed_in, URL, valid(session_id=str(session.id)))
    assert post_form(signed_in, f"/supervision/sessions/{session.id}/delete").status_code == 302
    assert count(SupervisedSession) == 0
    item = db.session.scalars(select(CasePresentation)).one()
    db.session.refresh(item)
    assert item.session_id is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter the title"),
        ({"title": "t" * 201}, "at most 200 characters"),
        ({"title": "t" * 100_000}, "at most 200 characters"),
        ({"title": "bad\x00title"}, "no control characters"),
        ({"audience": "the press"}, "Choose the audience"),
        ({"session_id": "999999"}, "Choose one of your own sessions"),
        ({"session_id": "abc"}, "Choose one of your own sessions"),
        ({"session_id": "9" * 40}, "Choose one of your own sessions"),
        ({"on": iso(today_in("UTC") + timedelta(days=1))}, "cannot be in the future"),
        ({"on": "2001-01-01"}, "before your cohort started"),
    ],
)
def test_invalid_presentation_refused(signed_in, changes, message):
    response = post_form(signed_in, URL, valid(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(CasePresentation) == 0


def test_delete_presentation(signed_in, enrollment):
    post_form(signed_in, URL, valid())
    item = db.session.scalars(select(CasePresentation)).one()
    url = f"/supervision/presentations/{item.id}/delete"
    assert post_form(signed_in, url).status_code == 302
    assert count(CasePresentation) == 0
    assert post_form(signed_in, url).status_code == 404
