"""Deleting a trainee's record asks first: the GET shows what will be deleted and changes
nothing; the POST (with its CSRF token) deletes."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import add_ce
from tests.training.factories import add_session
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.supervision.models import CasePresentation
from tracker.supervision.models import SupervisedSession
from tracker.training.models import ContinuingEducation


def test_deleting_a_draft_session_asks_first(signed_in, enrollment):
    session = add_session(enrollment)
    page = signed_in.get(f"/supervision/sessions/{session.id}").get_data(as_text=True)
    assert f'href="/supervision/sessions/{session.id}/delete"' in page
    response = signed_in.get(f"/supervision/sessions/{session.id}/delete")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Delete this draft session?" in page and session.client_code in page
    assert count(SupervisedSession) == 1
    response = signed_in.post(f"/supervision/sessions/{session.id}/delete")
    assert response.status_code == 400  # no CSRF token: nothing deleted
    assert count(SupervisedSession) == 1
    assert post_form(signed_in, f"/supervision/sessions/{session.id}/delete").status_code == 302
    assert count(SupervisedSession) == 0


def test_only_a_draft_session_is_offered_for_deletion(signed_in, enrollment):
    session = add_session(enrollment, status="submitted")
    response = signed_in.get(f"/supervision/sessions/{session.id}/delete", follow_redirects=True)
    assert "Only a draft session can be deleted" in response.get_data(as_text=True)
    assert count(SupervisedSession) == 1


def test_deleting_a_presentation_asks_first(signed_in, enrollment):
    data = {"on": iso(yesterday()), "title": "Integration in group work", "audience": "peer_group"}
    assert post_form(signed_in, "/supervision/presentations/new", data).status_code == 302
    item = db.session.scalars(select(CasePresentation)).one()
    url = f"/supervision/presentations/{item.id}/delete"
    assert f'href="{url}"' in signed_in.get("/supervision/presentations").get_data(as_text=True)
    page = signed_in.get(url).get_data(as_text=True)
    assert "Delete this case presentation?" in page and "Integration in group work" in page
    assert count(CasePresentation) == 1
    assert post_form(signed_in, url).status_code == 302
    assert count(CasePresentation) == 0


def test_deleting_a_ce_record_asks_first(signed_in, enrollment):
    item = add_ce(enrollment, amount="3", status="pending")  # approved entries are read-only
    url = f"/training/ce/{item.id}/delete"
    assert f'href="{url}"' in signed_in.get("/training/ce").get_data(as_text=True)
    page = signed_in.get(url).get_data(as_text=True)
    assert "Delete this continuing education record?" in page and item.title in page
    assert count(ContinuingEducation) == 1
    assert post_form(signed_in, url).status_code == 302
    assert count(ContinuingEducation) == 0


def test_another_persons_record_is_404_on_the_question_too(signed_in, create_user):
    other = make_enrollment(create_user("trainee"))
    session = add_session(other)
    assert signed_in.get(f"/supervision/sessions/{session.id}/delete").status_code == 404
