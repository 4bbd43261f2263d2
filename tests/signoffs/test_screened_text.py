"""Free text that looks like it holds a client's information is shown back with the passages
marked; nothing is stored until the writer removes them or confirms they are not a client's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_session
from tests.training.factories import REFLECTION
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.privacy.forms import ClientSafe
from tracker.privacy.forms import ScreenedLine
from tracker.privacy.forms import ScreenedText
from tracker.signoffs.forms import AnswerForm
from tracker.signoffs.forms import QuestionForm
from tracker.signoffs.models import EntryQuestion
from tracker.supervision.forms import PresentationForm
from tracker.supervision.forms import SessionForm
from tracker.supervision.models import SupervisedSession
from tracker.training.forms import DidacticForm
from tracker.training.forms import ExperientialForm
from tracker.training.models import DidacticEntry

IDENTIFYING = "Client Maria Lopez, DOB 03/12/1985, phone 415-555-1234, felt calmer after dosing."
CHECKBOX = 'name="not_client_info"'


def _session(reflection: str) -> dict:
    return {
        "on": iso(yesterday()),
        "client_code": "KC-7QX4M2",
        "setting": "clinic",
        "route": "im",
        "trainee_role": "observer",
        "supervision_mode": "live",
        "covers_dosing": "y",
        "duration_minutes": "90",
        "reflection": reflection,
    }


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (DidacticForm, "note"),
        (ExperientialForm, "note"),
        (SessionForm, "reflection"),
        (PresentationForm, "title"),
        (QuestionForm, "body"),
        (AnswerForm, "body"),
    ],
)
def test_every_free_text_field_is_screened_through_one_mechanism(app, form, field):
    with app.test_request_context():
        bound = form(meta={"csrf": False})
        assert isinstance(bound[field], ScreenedText | ScreenedLine)
        assert isinstance(bound, ClientSafe)


def test_a_reflection_with_identifiers_is_shown_back_and_not_stored(as_user, trainee, enrollment):
    client = as_user(trainee)
    response = post_form(client, "/supervision/sessions/new", _session(REFLECTION + IDENTIFYING))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<mark>Client Maria Lopez</mark>" in page
    assert "<mark>DOB 03/12/1985</mark>" in page
    assert "<mark>phone 415-555-1234</mark>" in page
    assert "a name, a date of birth and a phone number" in page
    assert CHECKBOX in page
    assert count(SupervisedSession) == 0


def test_removing_the_passage_saves(as_user, trainee, enrollment):
    client = as_user(trainee)
    post_form(client, "/supervision/sessions/new", _session(REFLECTION + IDENTIFYING))
    response = post_form(client, "/supervision/sessions/new", _session(REFLECTION))
    assert response.status_code == 302
    assert count(SupervisedSession) == 1


def test_confirming_it_is_not_a_clients_information_saves_the_text(as_user, trainee, enrollment):
    client = as_user(trainee)
    text = REFLECTION + " My supervisor Dr Ana Ruiz, phone 415-555-1234, observed."
    data = {**_session(text), "not_client_info": "y"}
    assert post_form(client, "/supervision/sessions/new", data).status_code == 302
    assert db.session.scalar(select(SupervisedSession.reflection)) == text


def test_a_didactic_note_is_screened(as_user, trainee, enrollment):
    client = as_user(trainee)
    data = {
        "on": iso(yesterday()),
        "topic_code": "safety",
        "hours": "2",
        "provider": "Course",
        "note": "Covered the case of MariaLopez1",
    }
    response = post_form(client, "/training/didactic/new", data)
    assert response.status_code == 200
    assert "<mark>MariaLopez1</mark>" in response.get_data(as_text=True)
    assert count(DidacticEntry) == 0
    data["note"] = "Module 4: preparation and set and setting"
    assert post_form(client, "/training/didactic/new", data).status_code == 302
    assert count(DidacticEntry) == 1


def test_a_harmless_note_needs_no_confirmation(as_user, trainee, enrollment):
    client = as_user(trainee)
    data = {
        "on": iso(yesterday()),
        "topic_code": "safety",
        "hours": "2",
        "provider": "Course",
        "note": "Ketamine 0.5 mg/kg IM, PTSD, session 3 of 6, PHQ-9 screening.",
    }
    assert post_form(client, "/training/didactic/new", data).status_code == 302


def test_a_supervisors_question_is_screened(as_user, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    client = as_user(supervisor)
    url = f"/signoffs/session/{session.id}/return"
    response = post_form(client, url, {"body": "Is J.D. the client you saw on 3/12?"})
    page = response.get_data(as_text=True)
    assert "<mark>J.D.</mark>" in page and "<mark>3/12</mark>" in page
    assert CHECKBOX in page
    db.session.expire_all()
    assert db.session.get(SupervisedSession, session.id).status == "submitted"
    assert db.session.scalar(select(EntryQuestion)) is None
    response = post_form(client, url, {"body": "Which protocol did you follow?"})
    assert response.status_code == 302


def test_a_trainees_answer_is_screened(as_user, trainee, enrollment, supervisor):
    entry = waiting_didactic(enrollment)
    post_form(as_user(supervisor), f"/signoffs/didactic/{entry.id}/return", {"body": "Which?"})
    client = as_user(trainee)
    url = f"/signoffs/mine/didactic/{entry.id}/answer"
    response = post_form(client, url, {"body": "The one at 123 Main Street"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<mark>123 Main Street</mark>" in page and CHECKBOX in page
    assert db.session.scalar(select(EntryQuestion).where(EntryQuestion.kind == "answer")) is None
    data = {"body": "The one at 123 Main Street", "not_client_info": "y"}
    assert post_form(client, url, data).status_code == 302
    answer = db.session.scalar(select(EntryQuestion).where(EntryQuestion.kind == "answer"))
    assert answer.body == "The one at 123 Main Street"


def test_an_answer_on_a_session_is_shown_back_on_the_session_page(
    as_user, trainee, enrollment, supervisor
):
    session = waiting_session(enrollment, supervisor)
    post_form(as_user(supervisor), f"/signoffs/session/{session.id}/return", {"body": "Which?"})
    client = as_user(trainee)
    response = post_form(
        client, f"/signoffs/mine/session/{session.id}/answer", {"body": "Her MRN 12345678"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<mark>MRN 12345678</mark>" in page
    assert db.session.scalar(select(EntryQuestion).where(EntryQuestion.kind == "answer")) is None
