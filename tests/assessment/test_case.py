"""Case-presentation evaluations: by staff or an assigned supervisor; the latest counts."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.finance.factories import assign
from tests.finance.factories import count
from tests.finance.factories import local_today
from tracker.assessment.facts import assessment_facts
from tracker.assessment.models import CaseEvaluation
from tracker.extensions import db


def _evaluate(client, enrollment, **changes):
    data = {
        "case-evaluated_on": local_today().isoformat(),
        "case-result": "passed",
        "case-notes": "Clear formulation.\nGood integration plan.",
    }
    data.update(changes)
    return post_form(client, f"/assessment/enrollments/{enrollment.id}/case", data)


def test_staff_records_a_case_evaluation(as_staff, enrollment, staff):
    assert _evaluate(as_staff, enrollment).status_code == 302
    evaluation = db.session.scalar(select(CaseEvaluation))
    assert (evaluation.result, evaluation.evaluator_id) == ("passed", staff.id)
    page = as_staff.get(f"/assessment/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "<strong>Passed</strong>" in page and "evaluated by Sam Staff" in page


def test_assigned_supervisor_records_one(client, auth, enrollment, supervisor):
    auth.login(supervisor)
    assert _evaluate(client, enrollment, **{"case-result": "failed"}).status_code == 302
    assert db.session.scalar(select(CaseEvaluation.evaluator_id)) == supervisor.id


def test_other_supervisor_is_not_found(client, auth, create_user, enrollment, supervisor):
    other = create_user("supervisor")
    auth.login(other)
    assert _evaluate(client, enrollment).status_code == 404
    assert client.get(f"/assessment/enrollments/{enrollment.id}").status_code == 404
    assert count(CaseEvaluation) == 0


def test_ended_assignment_no_longer_counts(client, auth, enrollment, create_user):
    former = create_user("supervisor")
    assignment = assign(enrollment, former)
    assignment.ended_at = assignment.assigned_at + timedelta(days=1)
    db.session.commit()
    auth.login(former)
    assert _evaluate(client, enrollment).status_code == 404
    assert count(CaseEvaluation) == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"case-result": ""}, "case-result", "Choose passed or failed."),
        ({"case-result": "maybe"}, "case-result", "Not a valid choice"),
        ({"case-notes": "n" * 5001}, "case-notes", "at most 5000"),
        ({"case-notes": "bad\x00byte"}, "case-notes", "control characters"),
        ({"case-evaluated_on": ""}, "case-evaluated_on", "Enter the date."),
    ],
)
def test_refused_case_evaluation_writes_nothing(as_staff, enrollment, changes, field, message):
    page = _evaluate(as_staff, enrollment, **changes).get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert count(CaseEvaluation) == 0


def test_latest_evaluation_counts(as_staff, enrollment):
    today = local_today()
    _evaluate(
        as_staff,
        enrollment,
        **{"case-result": "failed", "case-evaluated_on": (today - timedelta(days=20)).isoformat()},
    )
    _evaluate(as_staff, enrollment, **{"case-result": "passed"})
    assert assessment_facts([enrollment.id])[enrollment.id]["case_evaluation"] == "passed"
    page = as_staff.get(f"/assessment/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "1 earlier evaluation on file; the latest counts." in page
