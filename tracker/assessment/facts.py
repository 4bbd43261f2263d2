"""Final-assessment records as progress facts, for many enrollments in three queries."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select

from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.queries import AssessmentFacts
from tracker.assessment.queries import assessment_overview
from tracker.assessment.queries import assessment_reads
from tracker.assessment.queries import overview_from
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Rows
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor
from tracker.standing.contributors import watch

# A rating names its evaluation, and the evaluation its enrollment.
watch("competency_ratings", ("evaluation_id", CompetencyEvaluation.__table__.c.id))


def assessment_facts(ids: Iterable[int] | Select) -> dict[int, dict[str, object]]:
    """Exam attempts, the latest case evaluation and the latest competency evaluation."""
    return _facts(assessment_overview(ids, unrated=False))


def _facts(overviews: dict[int, AssessmentFacts]) -> dict[int, dict[str, object]]:
    values: dict[int, dict[str, object]] = {}
    for enrollment_id, found in overviews.items():
        known = {
            "exam_attempts": found.exam_attempts or None,
            "case_evaluation": found.case_evaluation,
            "competency": found.competency,
        }
        fields = {name: value for name, value in known.items() if value is not None}
        if fields:
            values[enrollment_id] = fields
    return values


def _attempts(selection: Selection) -> Select:
    return assessment_reads(selection.ids, unrated=False)[0]


def _cases(selection: Selection) -> Select:
    return assessment_reads(selection.ids, unrated=False)[1]


def _competencies(selection: Selection) -> Select:
    return assessment_reads(selection.ids, unrated=False)[2]


@contributor(_attempts, _cases, _competencies)
def assessment_contribution(
    selection: Selection, attempt_rows: Rows, case_rows: Rows, competency_rows: Rows
) -> Contribution:
    """Exam attempts and evaluations of the selected enrollments."""
    return _facts(overview_from(attempt_rows, case_rows, competency_rows))
