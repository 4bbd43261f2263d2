"""Return with a question: on that entry alone; the trainee sees it, answers, amends and
resubmits; the exchange stays with the entry."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import post_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_session
from tests.training.factories import REFLECTION
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.signoffs.models import EntryQuestion
from tracker.supervision.models import SupervisedSession
from tracker.training.models import DidacticEntry

QUESTION = "Which monitoring protocol did you follow during dosing?"


def test_a_question_returns_that_entry_alone(as_user, trainee, enrollment, supervisor):
    first = waiting_session(enrollment, supervisor)
    second = waiting_session(enrollment, supervisor, client_code="KC-ZZZ234")
    client = as_user(supervisor)
    response = post_form(client, f"/signoffs/session/{first.id}/return", {"body": QUESTION})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SupervisedSession, first.id).status == "returned"
    assert db.session.get(SupervisedSession, second.id).status == "submitted"
    note = db.session.scalar(select(EntryQuestion))
    assert (note.entry_type, note.entry_id, note.kind) == ("session", first.id, "question")
    assert note.enrollment_id == enrollment.id and note.author_id == supervisor.id
    queue = client.get("/signoffs/").get_data(as_text=True)
    assert f"/signoffs/session/{second.id}" in queue
    assert f"/signoffs/session/{first.id}" not in queue


def test_an_empty_or_huge_question_is_refused(as_user, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    client = as_user(supervisor)
    for body in ("", "   ", "x" * 2001):
        response = post_form(client, f"/signoffs/session/{session.id}/return", {"body": body})
        assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(SupervisedSession, session.id).status == "submitted"
    assert db.session.scalar(select(EntryQuestion)) is None


def test_trainee_sees_answers_amends_and_resubmits(as_user, trainee, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    post_form(as_user(supervisor), f"/signoffs/session/{session.id}/return", {"body": QUESTION})
    client = as_user(trainee)
    page = client.get(f"/supervision/sessions/{session.id}").get_data(as_text=True)
    assert QUESTION in page and "Returned with a question" in page
    post_form(
        client,
        f"/signoffs/mine/session/{session.id}/answer",
        {"body": "We followed the clinic's vital-signs protocol every 15 minutes."},
    )
    data = {
        "on": iso(yesterday()),
        "client_code": "KC-7QX4M2",
        "setting": "clinic",
        "route": "im",
        "trainee_role": "co_therapist",
        "supervision_mode": "live",
        "covers_preparation": "y",
        "covers_dosing": "y",
        "duration_minutes": "120",
        "reflection": REFLECTION + " Vital signs every 15 minutes, per the clinic protocol.",
    }
    assert post_form(client, f"/supervision/sessions/{session.id}/edit", data).status_code == 302
    post_form(client, f"/supervision/sessions/{session.id}/submit")
    db.session.expire_all()
    assert db.session.get(SupervisedSession, session.id).status == "submitted"
    thread = db.session.scalars(select(EntryQuestion).order_by(EntryQuestion.id)).all()
    assert [n.kind for n in thread] == ["question", "answer"]
    reviewer = as_user(supervisor).get(f"/signoffs/session/{session.id}").get_data(as_text=True)
    assert QUESTION in reviewer and "vital-signs protocol" in reviewer


def test_a_returned_hours_entry_goes_back_to_pending_when_edited(
    as_user, trainee, enrollment, staff
):
    entry = waiting_didactic(enrollment)
    post_form(as_user(staff), f"/signoffs/didactic/{entry.id}/return", {"body": "Which course?"})
    client = as_user(trainee)
    assert "Question: Which course?" in client.get("/training/").get_data(as_text=True)
    detail = client.get(f"/signoffs/mine/didactic/{entry.id}").get_data(as_text=True)
    assert "Which course?" in detail
    post_form(
        client,
        f"/training/didactic/{entry.id}/edit",
        {
            "on": iso(yesterday()),
            "topic_code": "pharmacology",
            "hours": "2",
            "provider": "Course B",
            "note": "",
        },
    )
    db.session.expire_all()
    assert db.session.get(DidacticEntry, entry.id).status == "pending"


def test_only_the_trainee_answers_and_only_while_returned(
    as_user, trainee, enrollment, supervisor, create_user
):
    session = waiting_session(enrollment, supervisor)
    stranger = create_user("trainee", name="Another Trainee")
    assert (
        post_form(
            as_user(stranger), f"/signoffs/mine/session/{session.id}/answer", {"body": "Hi"}
        ).status_code
        == 404
    )
    post_form(as_user(trainee), f"/signoffs/mine/session/{session.id}/answer", {"body": "Hi"})
    assert db.session.scalar(select(EntryQuestion)) is None
