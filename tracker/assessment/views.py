"""Staff record the final assessment; assigned supervisors evaluate their trainees; trainees read
their own results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import url_for
from flask_login import current_user

from tracker.assessment import queries
from tracker.assessment import services
from tracker.assessment.forms import CaseAmendForm
from tracker.assessment.forms import CaseForm
from tracker.assessment.forms import CompetencyForm
from tracker.assessment.forms import ExamForm
from tracker.assessment.forms import VoidAttemptForm
from tracker.assessment.forms import competency_form
from tracker.assessment.forms import domain_label
from tracker.assessment.models import RATING_LABELS
from tracker.assessment.models import CaseEvaluation
from tracker.assessment.models import CompetencyEvaluation
from tracker.assessment.models import ExamAttempt
from tracker.core import navigation
from tracker.core.clock import today_in
from tracker.core.flow import owned_or_404
from tracker.core.flow import save
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import current_enrollment
from tracker.extensions import db
from tracker.security.access import Staff
from tracker.security.access import SupervisorOrStaff
from tracker.security.access import Trainee
from tracker.security.access import allow

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
navigation.register("Assessment", "assessment.my_results", Trainee, order=45)
navigation.register("Assessments", "assessment.index", SupervisorOrStaff, order=65)


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"domain_label": domain_label, "rating_labels": RATING_LABELS}


def _assessable_or_404(enrollment_id: int) -> Enrollment:
    """Staff reach every enrollment; a supervisor only those assigned to them (others: 404)."""
    enrollment = queries.enrollment(enrollment_id)
    if enrollment is None or not services.may_see_assessment(current_user, enrollment):
        abort(404)
    return enrollment


def _page(enrollment: Enrollment, exam_form=None, case_form=None):
    record = queries.assessment_record(enrollment)
    closed = services.closed_training(enrollment.id) if enrollment.is_admitted else []
    today = today_in(enrollment.program.timezone)
    if exam_form is None:
        exam_form = ExamForm(formdata=None, prefix="exam", data={"taken_on": today})
    if case_form is None:
        case_form = CaseForm(formdata=None, prefix="case", data={"evaluated_on": today})
    return render_template(
        "assessment/enrollment.html",
        enrollment=enrollment,
        record=record,
        exam_form=exam_form,
        case_form=case_form,
        may_evaluate=services.may_evaluate(current_user, enrollment),
        closed_training=closed,
    )


@bp.get("/")
@allow(SupervisorOrStaff)
def index():
    """Admitted enrollments to assess: all for staff, the assigned trainees for a supervisor."""
    enrollments = queries.evaluable_enrollments(current_user)
    summaries = queries.assessment_overview(e.id for e in enrollments)
    return render_template(
        "assessment/index.html",
        rows=[(e, summaries[e.id]) for e in enrollments],
        limit=queries.MAX_LISTED,
    )


@bp.get("/enrollments/<int:enrollment_id>")
@allow(SupervisorOrStaff)
def enrollment(enrollment_id: int):
    """An enrollment's exam attempts, case evaluation and competency evaluation, with forms."""
    return _page(_assessable_or_404(enrollment_id))


@bp.post("/enrollments/<int:enrollment_id>/exam")
@allow(Staff)
def record_exam(enrollment_id: int):
    """Record an exam attempt (staff only)."""
    enrollment = _assessable_or_404(enrollment_id)
    form = ExamForm(prefix="exam")
    return save(
        form,
        lambda: services.record_exam_attempt(
            enrollment.id,
            form.taken_on.data,
            form.score.data,
            current_user,
            override_reason=form.override_reason.data or "",
        ),
        lambda attempt: (
            f"Exam attempt recorded: score {attempt.score}"
            + (" (recorded by override)." if attempt.override_reason else ".")
        ),
        url_for("assessment.enrollment", enrollment_id=enrollment.id),
    ) or _page(enrollment, exam_form=form)


@bp.post("/enrollments/<int:enrollment_id>/case")
@allow(SupervisorOrStaff)
def record_case(enrollment_id: int):
    """Record the case-presentation evaluation (staff or an assigned supervisor)."""
    enrollment = _assessable_or_404(enrollment_id)
    form = CaseForm(prefix="case")
    return save(
        form,
        lambda: services.record_case_evaluation(
            enrollment.id,
            form.evaluated_on.data,
            form.result.data,
            form.notes.data or "",
            current_user,
        ),
        "Case evaluation recorded.",
        url_for("assessment.enrollment", enrollment_id=enrollment.id),
    ) or _page(enrollment, case_form=form)


def _competency_page(enrollment: Enrollment, form: CompetencyForm):
    return render_template(
        "assessment/competency.html",
        enrollment=enrollment,
        form=form,
        record=queries.assessment_record(enrollment),
        may_evaluate=services.may_evaluate(current_user, enrollment),
    )


@bp.route("/enrollments/<int:enrollment_id>/competency", methods=["GET", "POST"])
@allow(SupervisorOrStaff)
def competency(enrollment_id: int):
    """The competency evaluation form (staff or an assigned supervisor): every domain rated."""
    enrollment = _assessable_or_404(enrollment_id)
    requirements = enrollment.requirements
    if requirements is None:
        abort(404)
    domains = requirements.spec.competency_domains
    today = today_in(enrollment.program.timezone)
    form = competency_form(domains, data={"evaluated_on": today})
    return save(
        form,
        lambda: services.record_competency_evaluation(
            enrollment.id,
            form.evaluated_on.data,
            form.ratings(),
            form.comments.data or "",
            current_user,
        ),
        "Competency evaluation recorded.",
        url_for("assessment.enrollment", enrollment_id=enrollment.id),
    ) or _competency_page(enrollment, form)


def _attempt_or_404(attempt_id: int) -> ExamAttempt:
    attempt = db.session.get(ExamAttempt, attempt_id)
    if attempt is None:
        abort(404)
    _assessable_or_404(attempt.enrollment_id)
    return attempt


@bp.route("/attempts/<int:attempt_id>/void", methods=["GET", "POST"])
@allow(Staff)
def void_exam(attempt_id: int):
    """Confirm, then void an exam attempt recorded in error, with a reason (staff only)."""
    attempt = _attempt_or_404(attempt_id)
    enrollment = _assessable_or_404(attempt.enrollment_id)
    form = VoidAttemptForm()
    return save(
        form,
        lambda: services.void_exam_attempt(attempt.id, form.reason.data, current_user),
        lambda done: f"Exam attempt of {done.taken_on.isoformat()} (score {done.score}) voided.",
        url_for("assessment.enrollment", enrollment_id=enrollment.id),
    ) or render_template("assessment/void.html", enrollment=enrollment, attempt=attempt, form=form)


def _amend(
    enrollment: Enrollment,
    amended: CaseEvaluation | CompetencyEvaluation,
    form: Any,
    record_version: Callable[..., Any],
    what: str,
    template: str,
    **context: Any,
):
    """Record the form as a new version of the evaluation `amended` (by the current user, with the
    form's amendment reason) and go back to the final assessment; else show `template` again."""
    return save(
        form,
        lambda: record_version(current_user, amends=amended.id, reason=form.amendment_reason.data),
        lambda done: f"{what} evaluation amended: version {done.version} now counts.",
        url_for("assessment.enrollment", enrollment_id=enrollment.id),
    ) or render_template(
        template,
        enrollment=enrollment,
        form=form,
        may_evaluate=services.may_evaluate(current_user, enrollment),
        **context,
    )


@bp.route(
    "/enrollments/<int:enrollment_id>/case/<int:evaluation_id>/amend", methods=["GET", "POST"]
)
@allow(SupervisorOrStaff)
def amend_case(enrollment_id: int, evaluation_id: int):
    """A corrected case evaluation as a new version of `evaluation_id`, with a reason."""
    enrollment = _assessable_or_404(enrollment_id)
    old = owned_or_404(CaseEvaluation, evaluation_id, enrollment_id=enrollment.id)
    form = CaseAmendForm(
        data={"evaluated_on": old.evaluated_on, "result": old.result, "notes": old.notes}
    )
    return _amend(
        enrollment,
        old,
        form,
        lambda actor, **amendment: services.record_case_evaluation(
            enrollment.id,
            form.evaluated_on.data,
            form.result.data,
            form.notes.data or "",
            actor,
            **amendment,
        ),
        "Case",
        "assessment/amend_case.html",
        old=old,
    )


@bp.route(
    "/enrollments/<int:enrollment_id>/competency/<int:evaluation_id>/amend",
    methods=["GET", "POST"],
)
@allow(SupervisorOrStaff)
def amend_competency(enrollment_id: int, evaluation_id: int):
    """A corrected competency evaluation as a new version of `evaluation_id`, with a reason."""
    enrollment = _assessable_or_404(enrollment_id)
    old = owned_or_404(CompetencyEvaluation, evaluation_id, enrollment_id=enrollment.id)
    requirements = enrollment.requirements
    if requirements is None:
        abort(404)
    data: dict[str, object] = {"evaluated_on": old.evaluated_on, "comments": old.comments}
    data.update({f"rating_{d}": r for d, r in old.rating_map.items()})
    form = competency_form(requirements.spec.competency_domains, amending=True, data=data)
    return _amend(
        enrollment,
        old,
        form,
        lambda actor, **amendment: services.record_competency_evaluation(
            enrollment.id,
            form.evaluated_on.data,
            form.ratings(),
            form.comments.data or "",
            actor,
            **amendment,
        ),
        "Competency",
        "assessment/competency.html",
        amending=old,
        record=queries.assessment_record(enrollment),
    )


@bp.get("/me")
@allow(Trainee)
def my_results():
    """The trainee's own final-assessment results, read-only."""
    enrollment = current_enrollment(current_user.id)
    record = queries.assessment_record(enrollment) if enrollment is not None else None
    return render_template("assessment/my_results.html", enrollment=enrollment, record=record)
