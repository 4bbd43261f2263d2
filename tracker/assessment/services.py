"""Final-assessment rules: exam attempts within the requirement set's limit and none after a pass,
only once the engine says the assessment is open (or with a staff override and its reason),
dated between admission and today; case and competency evaluations by staff or a current
assigned supervisor, never by the trainee. Corrections are new records: an attempt is voided
(it stays on file, shown as VOID, and gives its attempt back), an evaluation is amended by a new
version that supersedes it. Services flush; the caller commits.

The attempt limit is checked on attempts re-read after locking the enrollment row (PostgreSQL:
SELECT ... FOR UPDATE; SQLite: the writing request already holds the write lock).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import exists
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.assessment.models import CASE_RESULTS
from tracker.assessment.models import RATINGS
from tracker.assessment.models import CaseEvaluation
from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.models import CompetencyRating
from tracker.assessment.models import ExamAttempt
from tracker.audit.services import record
from tracker.core.clock import local_time
from tracker.core.clock import today_in
from tracker.core.duties import not_own
from tracker.core.errors import Refused
from tracker.core.guarded import update_if
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.progress.requirements import RequirementSpec
from tracker.standing import assess_one

EARLIEST_DATE = date(2000, 1, 1)
NOTES_MAX = 5000
REASON_MIN = 10
REASON_MAX = 2000
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# -- who may evaluate -------------------------------------------------------------------------


def supervises_enrollment(user: User, enrollment_id: int) -> bool:
    """True when `user` is a current (primary or backup) supervisor assigned to the enrollment."""
    if not user.is_authenticated or not user.is_supervisor:
        return False
    stmt = select(
        exists()
        .where(SupervisorAssignment.enrollment_id == enrollment_id)
        .where(SupervisorAssignment.supervisor_id == user.id)
        .where(SupervisorAssignment.ended_at.is_(None))
    )
    return bool(db.session.scalar(stmt))


def may_see_assessment(user: User, enrollment: Enrollment) -> bool:
    """Staff, and the trainee's current assigned supervisors, see the assessment page."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff) or supervises_enrollment(user, enrollment.id)


def may_evaluate(user: User, enrollment: Enrollment) -> bool:
    """Staff or a current assigned supervisor may evaluate, but nobody evaluates themselves."""
    return user.id != enrollment.trainee_id and may_see_assessment(user, enrollment)


# -- shared checks ----------------------------------------------------------------------------


def _lock_enrollment(enrollment_id: int) -> Enrollment:
    stmt = select(Enrollment).where(Enrollment.id == enrollment_id).with_for_update()
    enrollment = db.session.scalar(stmt)
    if enrollment is None:
        raise Refused("This enrollment does not exist.")
    return enrollment


def _spec(enrollment: Enrollment) -> RequirementSpec:
    if not enrollment.is_admitted:
        raise Refused("The final assessment is recorded for admitted trainees only.")
    requirements = enrollment.requirements
    if requirements is None:
        raise Refused("This enrollment has no requirement set.")
    return requirements.spec


def _past_date(field_name: str, value: date | None, enrollment: Enrollment) -> date:
    if value is None:
        raise Refused("Enter a date.", field_name)
    if value > today_in(enrollment.program.timezone):
        raise Refused("The date cannot be in the future.", field_name)
    if value < EARLIEST_DATE:
        raise Refused("The date is too far in the past.", field_name)
    return value


def _text(field_name: str, value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > NOTES_MAX:
        raise Refused(f"Use at most {NOTES_MAX} characters.", field_name)
    if _CONTROL_MULTILINE.search(value):
        raise Refused("Remove the control characters.", field_name)
    return value


def _reason(field_name: str, value: str | None, what: str = "reason") -> str:
    """A written reason of REASON_MIN..REASON_MAX characters."""
    text = (value or "").strip()
    if len(text) < REASON_MIN:
        raise Refused(f"Write the {what} (at least {REASON_MIN} characters).", field_name)
    if len(text) > REASON_MAX:
        raise Refused(f"Use at most {REASON_MAX} characters.", field_name)
    if _CONTROL_MULTILINE.search(text):
        raise Refused("Remove the control characters.", field_name)
    return text


def _admitted_on(enrollment: Enrollment) -> date | None:
    """The day (program time) the enrollment was admitted."""
    moment = local_time(enrollment.decided_at, enrollment.program.timezone)
    return moment.date() if moment is not None else None


def closed_training(enrollment_id: int) -> list[str]:
    """The training steps the engine says are neither met nor waived ("5. Didactic training"):
    empty when the final assessment is open."""
    standing = assess_one(enrollment_id)
    if standing is None or standing.progress is None:
        return ["the requirements"]
    return [f"{s.number}. {s.title}" for s in standing.progress.training_not_done]


def _evaluator(user: User, enrollment: Enrollment) -> None:
    not_own(user.id, enrollment.trainee_id, "Nobody may evaluate their own assessment.")
    if not may_evaluate(user, enrollment):
        raise Refused("Only program staff or the trainee's assigned supervisor may evaluate.")


# -- the exam ---------------------------------------------------------------------------------


def record_exam_attempt(
    enrollment_id: int,
    taken_on: date,
    score: int,
    actor: User,
    override_reason: str | None = None,
) -> ExamAttempt:
    """Record an exam attempt (score 0-100) by staff.

    Refused beyond the requirement set's `exam_max_attempts` (voided attempts do not count),
    after a passing attempt, when dated before admission or in the future, and while the engine
    says the assessment is not open (didactic, experiential and supervised requirements each met
    or waived), unless staff give an `override_reason` (kept on the attempt and shown).
    """
    if not actor.is_staff:
        raise Refused("Only program staff record exam results.")
    enrollment = _lock_enrollment(enrollment_id)
    spec = _spec(enrollment)
    not_own(actor.id, enrollment.trainee_id, "Nobody may record their own exam result.")
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise Refused("Enter a whole-number score from 0 to 100.", "score")
    taken_on = _past_date("taken_on", taken_on, enrollment)
    admitted_on = _admitted_on(enrollment)
    if admitted_on is not None and taken_on < admitted_on:
        raise Refused(
            f"The exam cannot be dated before the admission on {admitted_on.isoformat()}.",
            "taken_on",
        )
    override = (override_reason or "").strip()
    missing = closed_training(enrollment.id)
    if missing and not override:
        raise Refused(
            "The final assessment is not open yet: "
            + "; ".join(missing)
            + " not met or waived. To record the attempt anyway, give the reason for the "
            "override.",
            "override_reason",
        )
    stored_override = _reason("override_reason", override, "override reason") if missing else None
    scores = db.session.scalars(
        select(ExamAttempt.score).where(
            ExamAttempt.enrollment_id == enrollment.id, ExamAttempt.voided_at.is_(None)
        )
    ).all()
    if any(s >= spec.exam_pass_mark for s in scores):
        raise Refused("The exam is already passed: no further attempt is recorded.")
    if len(scores) >= spec.exam_max_attempts:
        raise Refused(
            f"All {spec.exam_max_attempts} attempts allowed are used; no further attempt "
            "can be recorded.",
        )
    attempt = ExamAttempt(
        enrollment_id=enrollment.id,
        taken_on=taken_on,
        score=score,
        recorded_by_id=actor.id,
        override_reason=stored_override,
    )
    return _recorded(
        "assessment.exam_attempt_recorded",
        attempt,
        enrollment,
        actor,
        taken_on=taken_on,
        score=score,
        pass_mark=spec.exam_pass_mark,
        passed=score >= spec.exam_pass_mark,
        attempt=len(scores) + 1,
        allowed=spec.exam_max_attempts,
        override_reason=stored_override,
    )


def void_exam_attempt(attempt_id: int, reason: str, actor: User) -> ExamAttempt:
    """Void an exam attempt recorded in error, with a reason, by staff. The attempt stays on
    file (shown as VOID beside the original) and no longer counts: its attempt is available
    again."""
    if not actor.is_staff:
        raise Refused("Only program staff void exam results.")
    attempt = db.session.get(ExamAttempt, attempt_id)
    if attempt is None:
        raise Refused("This exam attempt does not exist.")
    enrollment = _lock_enrollment(attempt.enrollment_id)
    not_own(actor.id, enrollment.trainee_id, "Nobody may void their own exam result.")
    text = _reason("reason", reason)
    if enrollment.status != "admitted":
        raise Refused("Exam attempts are voided for admitted trainees only.")
    _no_valid_certificate(enrollment, "voiding an attempt")
    now = utcnow()
    update_if(
        attempt,
        ExamAttempt.voided_at.is_(None),
        values={"voided_at": now, "voided_by_id": actor.id, "void_reason": text},
        refused="This attempt is already voided.",
    )
    record(
        "assessment.exam_attempt_voided",
        attempt,
        before={"taken_on": attempt.taken_on, "score": attempt.score, "voided_at": None},
        after={
            "enrollment_id": enrollment.id,
            "taken_on": attempt.taken_on,
            "score": attempt.score,
            "voided_at": now,
            "void_reason": text,
        },
        actor_id=actor.id,
        subject_user_id=enrollment.trainee_id,
    )
    return attempt


def _recorded(action: str, row: Any, enrollment: Enrollment, actor: User, **after: Any) -> Any:
    """Add the assessment record `row` of `enrollment` and record `action` with `after`."""
    db.session.add(row)
    db.session.flush()
    record(
        action,
        row,
        after={"enrollment_id": enrollment.id, **after},
        actor_id=actor.id,
        subject_user_id=enrollment.trainee_id,
    )
    return row


# -- evaluations ------------------------------------------------------------------------------


def _no_valid_certificate(enrollment: Enrollment, what: str) -> None:
    """Refuse a correction of the assessment a valid certificate was issued on."""
    standing = assess_one(enrollment.id)
    certificate = standing.facts.certificate if standing is not None else None
    if certificate is not None and not certificate.revoked:
        raise Refused(
            f"A certificate was issued on this assessment: revoke the certificate before {what}."
        )


def _amended(model: type, enrollment: Enrollment, supersedes_id: int | None) -> Any:
    """The evaluation `supersedes_id` names, checked: of this enrollment and not amended yet,
    and no valid certificate issued on it."""
    if supersedes_id is None:
        return None
    _no_valid_certificate(enrollment, "amending an evaluation")
    old = db.session.get(model, supersedes_id)
    if old is None or old.enrollment_id != enrollment.id:
        raise Refused("The evaluation to amend does not exist.")
    if db.session.scalar(select(exists().where(model.supersedes_id == old.id))):
        raise Refused("This evaluation was already amended: amend its latest version.")
    return old


def _version_values(old: Any, reason: str | None) -> dict[str, Any]:
    """The version columns of a new evaluation: version 1, or the next of `old` with why."""
    if old is None:
        return {}
    return {
        "version": old.version + 1,
        "supersedes_id": old.id,
        "amendment_reason": _reason("amendment_reason", reason),
    }


def record_case_evaluation(
    enrollment_id: int,
    evaluated_on: date,
    result: str,
    notes: str,
    evaluator: User,
    *,
    amends: int | None = None,
    reason: str | None = None,
) -> CaseEvaluation:
    """Record whether the case presentation passed; the latest evaluation counts. With
    `amends`, the new evaluation is the next version of that one (corrected, with a `reason`);
    the old version stays on file, shown as superseded."""
    enrollment = _lock_enrollment(enrollment_id)
    _spec(enrollment)
    _evaluator(evaluator, enrollment)
    old = _amended(CaseEvaluation, enrollment, amends)
    if result not in CASE_RESULTS:
        raise Refused("Choose passed or failed.", "result")
    evaluated_on = _past_date("evaluated_on", evaluated_on, enrollment)
    notes = _text("notes", notes)
    versioning = _version_values(old, reason)
    values = {"evaluated_on": evaluated_on, "result": result, "notes": notes}
    evaluation = CaseEvaluation(
        enrollment_id=enrollment.id, evaluator_id=evaluator.id, **values, **versioning
    )
    action = "assessment.case_amended" if old is not None else "assessment.case_evaluated"
    return _recorded(action, evaluation, enrollment, evaluator, **values, **versioning)


def record_competency_evaluation(
    enrollment_id: int,
    evaluated_on: date,
    ratings: Mapping[str, Any],
    comments: str,
    evaluator: User,
    *,
    amends: int | None = None,
    reason: str | None = None,
) -> CompetencyEvaluation:
    """Record a rating (1-4) for every competency domain of the enrollment's requirement set.

    Every domain must be rated; a domain the set does not list is refused. The latest counts.
    With `amends`, the new evaluation is the next version of that one (with a `reason`).
    """
    enrollment = _lock_enrollment(enrollment_id)
    spec = _spec(enrollment)
    _evaluator(evaluator, enrollment)
    old = _amended(CompetencyEvaluation, enrollment, amends)
    unknown = sorted(set(ratings) - set(spec.competency_domains))
    if unknown:
        raise Refused(f"{unknown[0]} is not a competency domain of this program.")
    clean: dict[str, int] = {}
    for domain in spec.competency_domains:
        value = ratings.get(domain)
        if value is None:
            raise Refused("Rate this domain.", f"rating_{domain}")
        if isinstance(value, bool) or not isinstance(value, int) or value not in RATINGS:
            raise Refused("Choose a rating from 1 to 4.", f"rating_{domain}")
        clean[domain] = value
    evaluated_on = _past_date("evaluated_on", evaluated_on, enrollment)
    comments = _text("comments", comments)
    versioning = _version_values(old, reason)
    evaluation = CompetencyEvaluation(
        enrollment_id=enrollment.id,
        evaluated_on=evaluated_on,
        comments=comments,
        evaluator_id=evaluator.id,
        ratings=[CompetencyRating(domain=d, rating=r) for d, r in clean.items()],
        **versioning,
    )
    return _recorded(
        "assessment.competency_amended" if old is not None else "assessment.competency_evaluated",
        evaluation,
        enrollment,
        evaluator,
        evaluated_on=evaluated_on,
        ratings=clean,
        comments=comments,
        **versioning,
    )
