"""Answers to the ethical scenarios: length limits, unknown scenarios, changes, and the lock after
submission."""

from __future__ import annotations

import pytest

from tests.applications.conftest import submitted
from tests.applications.factories import ANSWER
from tests.applications.factories import answer
from tests.conftest import post_form
from tests.enrollments.factories import count
from tracker.applications.models import ScenarioAnswer
from tracker.extensions import db

URL = "/applications/scenarios/consent"


def test_the_scenario_page_shows_the_prompt(signed_in):
    page = signed_in.get(URL).get_data(as_text=True)
    assert "<h1>Ethical scenario 2</h1>" in page
    assert "change the dosing plan" in page


def test_an_answer_is_saved_and_can_be_changed(signed_in, enrollment):
    assert post_form(signed_in, URL, {"answer": ANSWER}).status_code == 302
    row = db.session.query(ScenarioAnswer).one()
    assert (row.enrollment_id, row.scenario_code, row.answer) == (enrollment.id, "consent", ANSWER)
    changed = ANSWER + "\n\nI would also consult my supervisor."
    assert post_form(signed_in, URL, {"answer": changed}).status_code == 302
    db.session.refresh(row)
    assert row.answer == changed and row.updated_at is not None
    assert count(ScenarioAnswer) == 1


def test_exactly_50_and_5000_characters_are_accepted(signed_in):
    assert post_form(signed_in, URL, {"answer": "a" * 50}).status_code == 302
    assert post_form(signed_in, URL, {"answer": "b" * 5000}).status_code == 302


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write your answer."),
        ("Too short to be an answer.", "Use at least 50 characters."),
        ("a" * 49, "Use at least 50 characters."),
        ("a" * 5001, "Use at most 5000 characters."),
        ("a" * 60 + "\x00", "Remove the control characters"),
    ],
)
def test_invalid_answers_are_refused(signed_in, text, message):
    response = post_form(signed_in, URL, {"answer": text})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(ScenarioAnswer) == 0


def test_an_unknown_scenario_is_not_found(signed_in):
    assert signed_in.get("/applications/scenarios/unknown").status_code == 404
    assert (
        post_form(signed_in, "/applications/scenarios/unknown", {"answer": ANSWER}).status_code
        == 404
    )
    assert count(ScenarioAnswer) == 0


def test_answers_are_locked_after_submission(signed_in, enrollment):
    answer(enrollment, "consent")
    submitted(enrollment)
    page = signed_in.get(URL).get_data(as_text=True)
    assert "<textarea" not in page and "Your answer" in page
    response = post_form(signed_in, URL, {"answer": "c" * 80}, follow_redirects=True)
    assert "Your application has been submitted" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(ScenarioAnswer).one().answer == ANSWER


def test_each_trainee_answers_for_their_own_enrollment(signed_in, enrollment, other_client, other):
    post_form(other_client, URL, {"answer": ANSWER})
    row = db.session.query(ScenarioAnswer).one()
    assert row.enrollment_id != enrollment.id
    assert "Answered." not in signed_in.get("/applications/").get_data(as_text=True)
