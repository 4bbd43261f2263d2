"""Builders of the final assessment: exam attempts, case evaluations and competency ratings."""

from __future__ import annotations

from datetime import date

from tracker.accounts.models import User
from tracker.assessment.models import (
    CaseEvaluation,
    CompetencyEvaluation,
    CompetencyRating,
    ExamAttempt,
)
from tracker.enrollments.models import Enrollment
from tracker.extensions import db


def add_exam(
    enrollment: Enrollment, on: date, score: int, recorded_by: User | None = None
) -> ExamAttempt:
    """An exam attempt taken on `on`."""
    row = ExamAttempt(
        enrollment_id=enrollment.id,
        taken_on=on,
        score=score,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def add_case_evaluation(
    enrollment: Enrollment,
    on: date,
    result: str = "passed",
    evaluator: User | None = None,
    notes: str = "",
) -> CaseEvaluation:
    """A case-presentation evaluation given on `on`."""
    row = CaseEvaluation(
        enrollment_id=enrollment.id,
        evaluated_on=on,
        result=result,
        notes=notes,
        evaluator_id=evaluator.id if evaluator else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def rate_competencies(
    enrollment: Enrollment,
    on: date,
    domains,
    rating: int,
    evaluator: User | None = None,
) -> CompetencyEvaluation:
    """A competency evaluation rating every domain in `domains` the same."""
    evaluation = CompetencyEvaluation(
        enrollment_id=enrollment.id,
        evaluated_on=on,
        evaluator_id=evaluator.id if evaluator else None,
    )
    evaluation.ratings = [CompetencyRating(domain=d, rating=rating) for d in domains]
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


def pass_final_assessment(
    enrollment: Enrollment,
    on: date,
    domains,
    *,
    score: int = 92,
    rating: int = 4,
    recorded_by: User | None = None,
    evaluator: User | None = None,
) -> None:
    """A passed exam, a passed case presentation and every competency rated `rating`."""
    add_exam(enrollment, on, score, recorded_by)
    add_case_evaluation(enrollment, on, "passed", evaluator)
    rate_competencies(enrollment, on, domains, rating, evaluator)
