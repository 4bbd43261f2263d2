"""Final-assessment records as progress facts, for many enrollments in three queries."""

from __future__ import annotations

from sqlalchemy import Select

from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.queries import assessment_overview
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor
from tracker.standing.contributors import watch

# A rating names its evaluation, and the evaluation its enrollment.
watch("competency_ratings", ("evaluation_id", CompetencyEvaluation.__table__.c.id))


def assessment_facts(ids: Select) -> dict[int, dict[str, object]]:
    """Exam attempts, the latest case evaluation and the latest competency evaluation."""
    values: dict[int, dict[str, object]] = {}
    for enrollment_id, found in assessment_overview(ids, unrated=False).items():
        known = {
            "exam_attempts": found.exam_attempts or None,
            "case_evaluation": found.case_evaluation,
            "competency": found.competency,
        }
        fields = {name: value for name, value in known.items() if value is not None}
        if fields:
            values[enrollment_id] = fields
    return values


@contributor
def assessment_contribution(selection: Selection) -> Contribution:
    """Exam attempts and evaluations of the selected enrollments."""
    return assessment_facts(selection.ids)
