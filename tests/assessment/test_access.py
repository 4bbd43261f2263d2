"""Who reaches the assessment pages: staff and assigned supervisors act; the trainee reads their
own results; a trainee posting to the evaluators' forms is refused and nothing changes."""

import pytest
from sqlalchemy import select

from tests.assessment.factories import assessable
from tests.conftest import post_form
from tests.finance.factories import count
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.assessment import services
from tracker.assessment.facts import assessment_facts
from tracker.assessment.models import CaseEvaluation
from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.models import ExamAttempt
from tracker.core.errors import Refused
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.progress.requirements import COMPETENCY_DOMAINS


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("exam", {"exam-taken_on": "2026-01-05", "exam-score": "100"}),
        ("case", {"case-evaluated_on": "2026-01-05", "case-result": "passed"}),
        (
            "competency",
            {"evaluated_on": "2026-01-05", **{f"rating_{d}": "4" for d in COMPETENCY_DOMAINS}},
        ),
    ],
)
def test_trainee_cannot_post_to_evaluator_forms(client, auth, enrollment, trainee, path, data):
    auth.login(trainee)
    response = post_form(client, f"/assessment/enrollments/{enrollment.id}/{path}", data)
    assert response.status_code == 403
    assert count(ExamAttempt) == count(CaseEvaluation) == count(CompetencyEvaluation) == 0


def test_trainee_sees_own_results_read_only(client, auth, enrollment, trainee, staff, supervisor):
    today = local_today()
    services.record_exam_attempt(enrollment.id, today, 85, staff)
    services.record_case_evaluation(enrollment.id, today, "passed", "Well argued.", supervisor)
    services.record_competency_evaluation(
        enrollment.id, today, dict.fromkeys(COMPETENCY_DOMAINS, 3), "Good.", supervisor
    )
    db.session.commit()
    auth.login(trainee)
    page = client.get("/assessment/me").get_data(as_text=True)
    assert "My final assessment" in page
    assert "<strong>Passed.</strong>" in page
    assert "Well argued." in page and "3: competent" in page
    assert "<form" not in page.split("<main", 1)[1]
    assert client.get(f"/assessment/enrollments/{enrollment.id}").status_code == 403


def test_supervisor_index_lists_only_assigned(client, auth, create_user, enrollment, supervisor):
    make_enrollment(create_user("trainee", name="Una Unassigned"))
    auth.login(supervisor)
    page = client.get("/assessment/").get_data(as_text=True)
    assert "Terry Trainee" in page and "Una Unassigned" not in page


def test_staff_index_lists_admitted(as_staff, create_user, enrollment):
    make_enrollment(create_user("trainee", name="Abe Applicant"), status="submitted")
    page = as_staff.get("/assessment/").get_data(as_text=True)
    assert "Terry Trainee" in page and "Abe Applicant" not in page


def test_nobody_evaluates_themselves(app, create_user):
    person = create_user("trainee", "staff", "supervisor")
    enrollment = make_enrollment(person)
    with pytest.raises(Refused):
        services.record_case_evaluation(enrollment.id, local_today(), "passed", "", person)
    with pytest.raises(Refused):
        services.record_exam_attempt(enrollment.id, local_today(), 90, person)
    db.session.rollback()
    assert count(CaseEvaluation) == count(ExamAttempt) == 0


def test_assessment_facts_constant_queries(app, create_user, staff, count_queries):
    ids = []
    for _ in range(30):
        enrollment = assessable(create_user("trainee"))
        services.record_exam_attempt(enrollment.id, local_today(), 70, staff)
        services.record_competency_evaluation(
            enrollment.id, local_today(), dict.fromkeys(COMPETENCY_DOMAINS, 3), "", staff
        )
        db.session.commit()
        ids.append(enrollment.id)
    db.session.expire_all()
    with count_queries() as few:
        small = assessment_facts(ids[:3])
    with count_queries() as many:
        large = assessment_facts(ids)
    assert few.count == many.count
    assert len(small) == 3 and len(large) == 30
    assert large[ids[0]]["exam_attempts"][0].score == 70
    assert set(large[ids[0]]["competency"].ratings.values()) == {3}
    # The enrollment loader passes a subquery of ids: the same facts, the same queries.
    with count_queries() as by_subquery:
        selected = assessment_facts(select(Enrollment.id).where(Enrollment.id.in_(ids[:3])))
    assert by_subquery.count == many.count
    assert selected == small
