"""Exam attempts: staff record them, within the attempt limit and never after a pass."""

from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.assessment.factories import assessable
from tests.conftest import post_form
from tests.finance.factories import count
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.assessment.models import ExamAttempt
from tracker.audit.models import AuditEvent
from tracker.extensions import db


def _attempt(client, enrollment, score, taken_on=None):
    return post_form(
        client,
        f"/assessment/enrollments/{enrollment.id}/exam",
        {
            "exam-taken_on": (taken_on or local_today()).isoformat(),
            "exam-score": str(score),
        },
    )


def test_attempt_is_recorded(as_staff, enrollment, staff):
    response = _attempt(as_staff, enrollment, 72)
    assert response.status_code == 302
    attempt = db.session.scalar(select(ExamAttempt))
    assert (attempt.score, attempt.recorded_by_id) == (72, staff.id)
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "assessment.exam_attempt_recorded")
    )
    page = as_staff.get(f"/assessment/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "attempts used 1 of 3 allowed" in page
    assert "failed" in page


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("101", "Enter a score from 0 to 100."),
        ("-1", "Enter a score from 0 to 100."),
        ("79.5", "Not a valid integer value"),
        ("abc", "Not a valid integer value"),
        ("", "Enter the score."),
    ],
)
def test_bad_score_writes_nothing(as_staff, enrollment, score, message):
    page = _attempt(as_staff, enrollment, score).get_data(as_text=True)
    assert 'id="exam-score-error"' in page
    assert message in page
    assert count(ExamAttempt) == 0


def test_future_or_ancient_date_writes_nothing(as_staff, enrollment):
    page = _attempt(as_staff, enrollment, 90, local_today() + timedelta(days=1)).get_data(
        as_text=True
    )
    assert "The date cannot be in the future." in page
    page = _attempt(as_staff, enrollment, 90, date(1999, 12, 31)).get_data(as_text=True)
    assert "too far in the past" in page
    assert count(ExamAttempt) == 0


def test_attempt_limit(as_staff, enrollment):
    for score in (50, 60, 70):
        assert _attempt(as_staff, enrollment, score).status_code == 302
    page = _attempt(as_staff, enrollment, 95).get_data(as_text=True)
    assert "All 3 attempts allowed are used" in page
    assert count(ExamAttempt) == 3
    page = as_staff.get(f"/assessment/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "attempts used 3 of 3 allowed" in page
    assert "Not passed: every attempt is used." in page


def test_attempt_limit_comes_from_the_requirement_set(as_staff, create_user):
    enrollment = assessable(create_user("trainee"), spec={"exam_max_attempts": 1})
    assert _attempt(as_staff, enrollment, 10).status_code == 302
    assert "All 1 attempts allowed are used" in _attempt(as_staff, enrollment, 10).get_data(
        as_text=True
    )
    assert count(ExamAttempt) == 1


def test_exactly_the_pass_mark_passes(as_staff, enrollment):
    assert _attempt(as_staff, enrollment, 79).status_code == 302
    assert _attempt(as_staff, enrollment, 80).status_code == 302
    page = as_staff.get(f"/assessment/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "<strong>Passed.</strong>" in page
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "<td>79</td><td>failed</td>" in rows
    assert "<td>80</td><td>passed</td>" in rows


def test_no_attempt_after_a_pass(as_staff, enrollment):
    assert _attempt(as_staff, enrollment, 80).status_code == 302
    page = _attempt(as_staff, enrollment, 99).get_data(as_text=True)
    assert "The exam is already passed" in page
    assert count(ExamAttempt) == 1


def test_applicant_has_no_final_assessment(as_staff, create_user):
    enrollment = make_enrollment(create_user("trainee"), status="submitted")
    page = _attempt(as_staff, enrollment, 90).get_data(as_text=True)
    assert "admitted trainees only" in page
    assert count(ExamAttempt) == 0


def test_supervisor_cannot_record_an_exam(client, auth, enrollment, supervisor):
    auth.login(supervisor)
    assert _attempt(client, enrollment, 90).status_code == 403
    assert count(ExamAttempt) == 0
