"""Named reads of the final assessment: one enrollment's record for its pages, and the progress
engine's facts for many enrollments in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.assessment.models import CaseEvaluation
from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.models import CompetencyRating
from tracker.assessment.models import ExamAttempt
from tracker.core.clock import local_time
from tracker.core.listing import chosen_ids
from tracker.core.listing import newest_first
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.queries import loaded_enrollment
from tracker.extensions import db
from tracker.programs.models import Track
from tracker.progress import facts
from tracker.progress.certification_rules import EvaluationVersion
from tracker.progress.certification_rules import current_evaluation
from tracker.progress.certification_rules import live_attempts
from tracker.progress.requirements import RequirementSpec

MAX_LISTED = 500


@dataclass(frozen=True)
class ExamStatus:
    """The exam so far: attempts (in the order taken, voided ones included and shown as VOID)
    against the pass mark and the limit; only attempts not voided count."""

    attempts: list[ExamAttempt]
    pass_mark: int
    allowed: int

    @property
    def live(self) -> list[ExamAttempt]:
        """The attempts that count: those not voided."""
        return [a for a in self.attempts if not a.voided]

    @property
    def used(self) -> int:
        """How many attempts count (voided ones give theirs back)."""
        return len(self.live)

    @property
    def best(self) -> int | None:
        """The best score so far, if any."""
        return max((a.score for a in self.live), default=None)

    @property
    def passed(self) -> bool:
        """True once an attempt reached the pass mark."""
        return any(a.score >= self.pass_mark for a in self.live)

    @property
    def may_attempt(self) -> bool:
        """True while another attempt may be recorded."""
        return not self.passed and self.used < self.allowed

    def result(self, attempt: ExamAttempt) -> str:
        """ "void", "passed" or "failed" for one attempt."""
        if attempt.voided:
            return "void"
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
    timezone: str | None = None

    def day(self, moment: datetime | None) -> str:
        """A stored UTC time as the program's date (ISO), or "" for none."""
        local = local_time(moment, self.timezone)
        return local.date().isoformat() if local is not None else ""

    def amendment_of(self, evaluation: CaseEvaluation | CompetencyEvaluation) -> Any:
        """The version that supersedes `evaluation` (who, when, why), or None."""
        history = (
            self.case_history if isinstance(evaluation, CaseEvaluation) else self.competency_history
        )
        return next((e for e in history if e.supersedes_id == evaluation.id), None)


def _current(rows: list[Any]) -> Any:
    """The evaluation the engine counts among `rows` (see `current_evaluation`)."""
    chosen = current_evaluation(
        EvaluationVersion(r.id, r.supersedes_id, r.evaluated_on) for r in rows
    )
    return next((r for r in rows if chosen is not None and r.id == chosen.id), None)


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
            .options(joinedload(ExamAttempt.recorded_by), joinedload(ExamAttempt.voided_by))
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
        case=_current(cases),
        case_history=cases,
        competency=_current(competencies),
        competency_history=competencies,
        timezone=enrollment.program.timezone,
    )


@dataclass(frozen=True)
class AssessmentFacts:
    """The progress engine's view of one enrollment's final assessment."""

    exam_attempts: tuple[facts.ExamAttempt, ...] = ()
    case_evaluation: str | None = None
    competency: facts.CompetencyEvaluation | None = None

    @property
    def counted_attempts(self) -> list[facts.ExamAttempt]:
        """The attempts that count, as the engine reads them: voided ones left out."""
        return live_attempts(self.exam_attempts)


def assessment_reads(wanted: list[int] | Select, *, unrated: bool = True) -> tuple[Select, ...]:
    """The three statements an overview reads, over enrollment ids or a subquery selecting them:
    exam attempts (not ordered: `overview_from` sorts them), every version of every case
    evaluation, and one row per competency rating of every version (without `unrated`, an
    evaluation that holds no rating is passed over)."""
    attempts = select(
        ExamAttempt.enrollment_id,
        ExamAttempt.taken_on,
        ExamAttempt.score,
        ExamAttempt.voided_at,
        ExamAttempt.id,
    ).where(ExamAttempt.enrollment_id.in_(wanted))
    cases = select(
        CaseEvaluation.id,
        CaseEvaluation.enrollment_id,
        CaseEvaluation.supersedes_id,
        CaseEvaluation.evaluated_on,
        CaseEvaluation.result,
    ).where(CaseEvaluation.enrollment_id.in_(wanted))
    competencies = (
        select(
            CompetencyEvaluation.enrollment_id,
            CompetencyEvaluation.id,
            CompetencyEvaluation.supersedes_id,
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
    )
    return attempts, cases, competencies


def overview_from(
    attempt_rows: Iterable[tuple[int, date, int, datetime | None, int]],
    case_rows: Iterable[tuple[int, int, int | None, date, str]],
    competency_rows: Iterable[tuple[int, int, int | None, date, str | None, int | None]],
    ids: Iterable[int] = (),
) -> dict[int, AssessmentFacts]:
    """The overviews of the rows of `assessment_reads`: one for each of `ids` and for each
    enrollment with any record."""
    attempts: dict[int, list[facts.ExamAttempt]] = defaultdict(list)
    in_order = sorted(attempt_rows, key=lambda row: (row[1], row[4]))  # as taken
    for enrollment_id, taken_on, score, voided_at, _attempt_id in in_order:
        attempts[enrollment_id].append(
            facts.ExamAttempt(on=taken_on, score=score, voided=voided_at is not None)
        )
    # Every version of every evaluation; the engine's rule picks the one that counts.
    case_versions: dict[int, list[EvaluationVersion]] = defaultdict(list)
    results: dict[int, str] = {}
    for evaluation_id, enrollment_id, supersedes_id, evaluated_on, result in case_rows:
        case_versions[enrollment_id].append(
            EvaluationVersion(evaluation_id, supersedes_id, evaluated_on)
        )
        results[evaluation_id] = result
    cases: dict[int, str] = {}
    for enrollment_id, versions in case_versions.items():
        chosen = current_evaluation(versions)
        if chosen is not None:
            cases[enrollment_id] = results[chosen.id]
    # One row per rating: every version's ratings, then the version that counts.
    competency_versions: dict[int, dict[int, EvaluationVersion]] = defaultdict(dict)
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    for (
        enrollment_id,
        evaluation_id,
        supersedes_id,
        evaluated_on,
        domain,
        rating,
    ) in competency_rows:
        competency_versions[enrollment_id][evaluation_id] = EvaluationVersion(
            evaluation_id, supersedes_id, evaluated_on
        )
        if domain is not None:
            ratings[evaluation_id][domain] = rating
    competencies: dict[int, tuple[int, date, dict[str, int]]] = {}
    for enrollment_id, found in competency_versions.items():
        chosen = current_evaluation(found.values())
        if chosen is not None:
            competencies[enrollment_id] = (chosen.id, chosen.on, ratings.get(chosen.id, {}))
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


def assessment_overview(
    enrollment_ids: Iterable[int] | Select, *, unrated: bool = True
) -> dict[int, AssessmentFacts]:
    """Exam attempts, the latest case result and the latest competency ratings of many
    enrollments (ids, or a subquery selecting them), in three queries whatever their number.

    Given ids, every id gets an entry; given a subquery, the enrollments with any record do.
    Without `unrated`, a competency evaluation that holds no rating is passed over.
    """
    ids, wanted = chosen_ids(enrollment_ids)
    if not isinstance(wanted, Select) and not ids:
        return {}
    rows = [db.session.execute(read).all() for read in assessment_reads(wanted, unrated=unrated)]
    return overview_from(*rows, ids=ids)


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
