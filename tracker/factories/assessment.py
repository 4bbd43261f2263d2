"""Builders of the final assessment: exam attempts, case evaluations and competency ratings."""

from __future__ import annotations

from datetime import date

from tracker.accounts.models import User
from tracker.assessment.models import CaseEvaluation
from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.models import CompetencyRating
from tracker.assessment.models import ExamAttempt
from tracker.enrollments.models import Enrollment
from tracker.factories import added
from tracker.factories import id_of


def add_exam(
    enrollment: Enrollment, on: date, score: int, recorded_by: User | None = None
) -> ExamAttempt:
    """An exam attempt taken on `on`."""
    return added(
        ExamAttempt(
            enrollment_id=enrollment.id,
            taken_on=on,
            score=score,
            recorded_by_id=id_of(recorded_by),
        )
    )


def add_case_evaluation(
    enrollment: Enrollment,
    on: date,
    result: str = "passed",
    evaluator: User | None = None,
    notes: str = "",
) -> CaseEvaluation:
    """A case-presentation evaluation given on `on`."""
    return added(
        CaseEvaluation(
            enrollment_id=enrollment.id,
            evaluated_on=on,
            result=result,
            notes=notes,
            evaluator_id=id_of(evaluator),
        )
    )


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
        evaluator_id=id_of(evaluator),
    )
    evaluation.ratings = [CompetencyRating(domain=d, rating=rating) for d in domains]
    return added(evaluation)


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
