"""Named reads of the final assessment: one enrollment's record for its pages, and the progress
engine's facts for many enrollments in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.assessment.models import CaseEvaluation
from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.models import CompetencyRating
from tracker.assessment.models import ExamAttempt
from tracker.core.listing import newest_first
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.queries import loaded_enrollment
from tracker.extensions import db
from tracker.programs.models import Track
from tracker.progress import facts
from tracker.progress.requirements import RequirementSpec

MAX_LISTED = 500


@dataclass(frozen=True)
class ExamStatus:
    """The exam so far: attempts (in the order taken) against the pass mark and the limit."""

    attempts: list[ExamAttempt]
    pass_mark: int
    allowed: int

    @property
    def used(self) -> int:
        """How many attempts are recorded."""
        return len(self.attempts)

    @property
    def best(self) -> int | None:
        """The best score so far, if any."""
        return max((a.score for a in self.attempts), default=None)

    @property
    def passed(self) -> bool:
        """True once an attempt reached the pass mark."""
        return any(a.score >= self.pass_mark for a in self.attempts)

    @property
    def may_attempt(self) -> bool:
        """True while another attempt may be recorded."""
        return not self.passed and self.used < self.allowed

    def result(self, attempt: ExamAttempt) -> str:
        """ "passed" or "failed" for one attempt."""
        return "passed" if attempt.score >= self.pass_mark else "failed"


@dataclass(frozen=True)
class AssessmentRecord:
    """Everything the assessment pages show for one enrollment."""

    spec: RequirementSpec | None
    exam: ExamStatus | None
    case: CaseEvaluation | None
    case_history: list[CaseEvaluation] = field(default_factory=list)
    competency: CompetencyEvaluation | None = None
    competency_history: list[CompetencyEvaluation] = field(default_factory=list)


def enrollment(enrollment_id: int) -> Enrollment | None:
    """The enrollment with its trainee, program, track and pinned requirements, or None."""
    return loaded_enrollment(enrollment_id, joinedload(Enrollment.pinned_requirements))


def assessment_record(enrollment: Enrollment) -> AssessmentRecord:
    """The enrollment's exam attempts (in order), case and competency evaluations (latest first)."""
    requirements = enrollment.requirements
    spec = requirements.spec if requirements is not None else None
    attempts = list(
        db.session.scalars(
            select(ExamAttempt)
            .where(ExamAttempt.enrollment_id == enrollment.id)
            .options(joinedload(ExamAttempt.recorded_by))
            .order_by(ExamAttempt.taken_on, ExamAttempt.id)
        )
    )
    cases = newest_first(CaseEvaluation, "evaluated_on", "evaluator", enrollment_id=enrollment.id)
    competencies = newest_first(
        CompetencyEvaluation,
        "evaluated_on",
        "evaluator",
        selectinload(CompetencyEvaluation.ratings),
        enrollment_id=enrollment.id,
    )
    exam = ExamStatus(attempts, spec.exam_pass_mark, spec.exam_max_attempts) if spec else None
    return AssessmentRecord(
        spec=spec,
        exam=exam,
        case=cases[0] if cases else None,
        case_history=cases,
        competency=competencies[0] if competencies else None,
        competency_history=competencies,
    )


@dataclass(frozen=True)
class AssessmentFacts:
    """The progress engine's view of one enrollment's final assessment."""

    exam_attempts: tuple[facts.ExamAttempt, ...] = ()
    case_evaluation: str | None = None
    competency: facts.CompetencyEvaluation | None = None


def assessment_overview(
    enrollment_ids: Iterable[int] | Select, *, unrated: bool = True
) -> dict[int, AssessmentFacts]:
    """Exam attempts, the latest case result and the latest competency ratings of many
    enrollments (ids, or a subquery selecting them), in three queries whatever their number.

    Given ids, every id gets an entry; given a subquery, the enrollments with any record do.
    Without `unrated`, a competency evaluation that holds no rating is passed over.
    """
    if isinstance(enrollment_ids, Select):
        ids: list[int] = []
        wanted: list[int] | Select = enrollment_ids
    else:
        ids = sorted({int(i) for i in enrollment_ids})
        if not ids:
            return {}
        wanted = ids
    attempts: dict[int, list[facts.ExamAttempt]] = defaultdict(list)
    for enrollment_id, taken_on, score in db.session.execute(
        select(ExamAttempt.enrollment_id, ExamAttempt.taken_on, ExamAttempt.score)
        .where(ExamAttempt.enrollment_id.in_(wanted))
        .order_by(ExamAttempt.taken_on, ExamAttempt.id)
    ):
        attempts[enrollment_id].append(facts.ExamAttempt(on=taken_on, score=score))
    cases: dict[int, str] = {}
    for enrollment_id, result in db.session.execute(
        select(CaseEvaluation.enrollment_id, CaseEvaluation.result)
        .where(CaseEvaluation.enrollment_id.in_(wanted))
        .order_by(CaseEvaluation.evaluated_on, CaseEvaluation.id)
    ):
        cases[enrollment_id] = result  # ordered oldest first, so the latest wins
    # One row per rating, oldest evaluation first: each enrollment's latest evaluation wins.
    competencies: dict[int, tuple[int, date, dict[str, int]]] = {}
    for enrollment_id, evaluation_id, evaluated_on, domain, rating in db.session.execute(
        select(
            CompetencyEvaluation.enrollment_id,
            CompetencyEvaluation.id,
            CompetencyEvaluation.evaluated_on,
            CompetencyRating.domain,
            CompetencyRating.rating,
        )
        .join(
            CompetencyRating,
            CompetencyRating.evaluation_id == CompetencyEvaluation.id,
            isouter=unrated,
        )
        .where(CompetencyEvaluation.enrollment_id.in_(wanted))
        .order_by(CompetencyEvaluation.evaluated_on, CompetencyEvaluation.id)
    ):
        current = competencies.get(enrollment_id)
        if current is None or current[0] != evaluation_id:
            current = competencies[enrollment_id] = (evaluation_id, evaluated_on, {})
        if domain is not None:
            current[2][domain] = rating
    result: dict[int, AssessmentFacts] = {}
    for i in sorted(set(ids) | set(attempts) | set(cases) | set(competencies)):
        latest = competencies.get(i)
        result[i] = AssessmentFacts(
            exam_attempts=tuple(attempts.get(i, ())),
            case_evaluation=cases.get(i),
            competency=(
                facts.CompetencyEvaluation(ratings=latest[2], on=latest[1])
                if latest is not None
                else None
            ),
        )
    return result


def evaluable_enrollments(user: User) -> list[Enrollment]:
    """Admitted enrollments the person may assess: all for staff, the assigned ones for a
    supervisor (their own excluded), newest first, at most MAX_LISTED."""
    stmt = (
        select(Enrollment)
        .where(Enrollment.status == "admitted")
        .where(Enrollment.trainee_id != user.id)
        .options(
            joinedload(Enrollment.trainee),
            joinedload(Enrollment.program),
            joinedload(Enrollment.track).selectinload(Track.requirement_sets),
            joinedload(Enrollment.pinned_requirements),
        )
        .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        .limit(MAX_LISTED)
    )
    if not user.is_staff:
        assigned = (
            select(SupervisorAssignment.enrollment_id)
            .where(SupervisorAssignment.supervisor_id == user.id)
            .where(SupervisorAssignment.ended_at.is_(None))
        )
        stmt = stmt.where(Enrollment.id.in_(assigned))
    return list(db.session.scalars(stmt).unique())
