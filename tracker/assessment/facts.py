"""Final-assessment records as progress facts, for many enrollments in three queries."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, select

from tracker.assessment.models import (
    CaseEvaluation,
    CompetencyEvaluation,
    CompetencyRating,
    ExamAttempt,
)
from tracker.extensions import db
from tracker.progress import facts as f
from tracker.standing.contributors import Contribution, Selection, contributor, watch

# A rating names its evaluation, and the evaluation its enrollment.
watch("competency_ratings", ("evaluation_id", CompetencyEvaluation.__table__.c.id))


def assessment_facts(ids: Select) -> dict[int, dict[str, object]]:
    """Exam attempts, the latest case evaluation and the latest competency evaluation."""
    values: dict[int, dict[str, object]] = defaultdict(dict)
    attempts: dict[int, list[f.ExamAttempt]] = defaultdict(list)
    for enrollment_id, taken_on, score in db.session.execute(
        select(ExamAttempt.enrollment_id, ExamAttempt.taken_on, ExamAttempt.score)
        .where(ExamAttempt.enrollment_id.in_(ids))
        .order_by(ExamAttempt.taken_on, ExamAttempt.id)
    ):
        attempts[enrollment_id].append(f.ExamAttempt(on=taken_on, score=score))
    for enrollment_id, found in attempts.items():
        values[enrollment_id]["exam_attempts"] = tuple(found)
    # The latest evaluation counts: rows come oldest first, so later ones overwrite.
    for enrollment_id, result in db.session.execute(
        select(CaseEvaluation.enrollment_id, CaseEvaluation.result)
        .where(CaseEvaluation.enrollment_id.in_(ids))
        .order_by(CaseEvaluation.evaluated_on, CaseEvaluation.id)
    ):
        values[enrollment_id]["case_evaluation"] = result
    latest: dict[int, tuple[int, object]] = {}
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    for enrollment_id, evaluation_id, evaluated_on, domain, rating in db.session.execute(
        select(
            CompetencyEvaluation.enrollment_id,
            CompetencyEvaluation.id,
            CompetencyEvaluation.evaluated_on,
            CompetencyRating.domain,
            CompetencyRating.rating,
        )
        .join(CompetencyRating, CompetencyRating.evaluation_id == CompetencyEvaluation.id)
        .where(CompetencyEvaluation.enrollment_id.in_(ids))
        .order_by(CompetencyEvaluation.evaluated_on, CompetencyEvaluation.id)
    ):
        if latest.get(enrollment_id, (None,))[0] != evaluation_id:
            latest[enrollment_id] = (evaluation_id, evaluated_on)
            ratings[enrollment_id] = {}
        ratings[enrollment_id][domain] = rating
    for enrollment_id, (_, evaluated_on) in latest.items():
        values[enrollment_id]["competency"] = f.CompetencyEvaluation(
            ratings=dict(ratings[enrollment_id]), on=evaluated_on
        )
    return values


@contributor
def assessment_contribution(selection: Selection) -> Contribution:
    """Exam attempts and evaluations of the selected enrollments."""
    return assessment_facts(selection.ids)
