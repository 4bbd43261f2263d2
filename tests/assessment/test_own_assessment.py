"""Separation of duties in the final assessment: a staff member (or a supervisor assigned by
mistake) who is also the trainee records no exam result, case or competency evaluation of
their own, through the pages or the services."""

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.finance.factories import assign
from tests.finance.factories import count
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.assessment import services
from tracker.assessment.models import CaseEvaluation
from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.models import ExamAttempt
from tracker.audit.models import AuditEvent
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.progress.requirements import COMPETENCY_DOMAINS

OWN_EXAM = "Nobody may record their own exam result."
OWN_EVALUATION = "Nobody may evaluate their own assessment."


@pytest.fixture
def dual(create_user):
    """A staff member and supervisor who is also a trainee."""
    return create_user("staff", "supervisor", "trainee", name="Dana Dual")


@pytest.fixture
def own_enrollment(dual):
    """The dual account's admitted enrollment, with the account assigned to it by mistake."""
    enrollment = make_enrollment(dual)
    assign(enrollment, dual)
    return enrollment


def _forms(enrollment):
    today = local_today().isoformat()
    base = f"/assessment/enrollments/{enrollment.id}"
    ratings = {f"rating_{d}": "4" for d in COMPETENCY_DOMAINS}
    return [
        (f"{base}/exam", {"exam-taken_on": today, "exam-score": "95"}, OWN_EXAM),
        (f"{base}/case", {"case-evaluated_on": today, "case-result": "passed"}, OWN_EVALUATION),
        (f"{base}/competency", {"evaluated_on": today, **ratings}, OWN_EVALUATION),
    ]


def test_nobody_records_their_own_assessment_through_the_pages(client, auth, dual, own_enrollment):
    auth.login(dual)
    for url, data, message in _forms(own_enrollment):
        response = post_form(client, url, data, follow_redirects=True)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), url
    assert count(ExamAttempt) == count(CaseEvaluation) == count(CompetencyEvaluation) == 0
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert not [action for action in actions if action.startswith("assessment.")]


def test_nobody_records_their_own_assessment_through_the_services(dual, own_enrollment):
    today = local_today()
    ratings = dict.fromkeys(COMPETENCY_DOMAINS, 4)
    attempts = [
        (lambda: services.record_exam_attempt(own_enrollment.id, today, 95, dual), OWN_EXAM),
        (
            lambda: services.record_case_evaluation(own_enrollment.id, today, "passed", "", dual),
            OWN_EVALUATION,
        ),
        (
            lambda: services.record_competency_evaluation(
                own_enrollment.id, today, ratings, "", dual
            ),
            OWN_EVALUATION,
        ),
    ]
    for attempt, message in attempts:
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.message == message
        db.session.rollback()
    assert count(ExamAttempt) == count(CaseEvaluation) == count(CompetencyEvaluation) == 0
