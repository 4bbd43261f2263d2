"""The enrollment-status section of the staff enrollment page: withdraw (after a confirmation
page) and readmit, leave of absence, its extension and the return, deferral and transfer.
Staff only. Each act posts here and returns to the enrollment page; a refused one shows the
status page again with the message beside its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user

from tracker.core import transaction
from tracker.core.clock import today_in
from tracker.core.errors import Refused
from tracker.enrollments.models import Enrollment
from tracker.enrollments.queries import loaded_enrollment
from tracker.finance.queries import ledger_summary
from tracker.lifecycle import services
from tracker.lifecycle.forms import ExtendLeaveForm
from tracker.lifecycle.forms import LeaveForm
from tracker.lifecycle.forms import MoveForm
from tracker.lifecycle.forms import ReadmitForm
from tracker.lifecycle.forms import ReturnForm
from tracker.lifecycle.forms import WithdrawForm
from tracker.lifecycle.forms import fill_move
from tracker.lifecycle.forms import status_forms
from tracker.lifecycle.queries import panel_for
from tracker.programs.services import format_dollars
from tracker.security.access import Staff
from tracker.security.access import allow

bp = Blueprint("lifecycle", __name__, url_prefix="/admissions/enrollments")


def _me():
    return current_user._get_current_object()


def _enrollment_or_404(enrollment_id: int) -> Enrollment:
    enrollment = loaded_enrollment(enrollment_id)
    if enrollment is None:
        abort(404)
    return enrollment


def _page(enrollment: Enrollment, **posted: Any):
    panel = panel_for(enrollment)
    return render_template(
        "lifecycle/status.html",
        enrollment=enrollment,
        life=panel,
        life_forms=status_forms(panel, **posted),
        today=today_in(enrollment.program.timezone),
    )


def _back(enrollment: Enrollment):
    url = url_for("admissions.review", enrollment_id=enrollment.id)
    return redirect(f"{url}#status", code=303)


def _act(enrollment: Enrollment, name: str, form: Any, action: Callable[[], str]):
    """Validate `form`, run `action` (a service call returning the success message), then go
    back to the enrollment page; a refusal shows the status page with the message."""
    if name == "move":
        fill_move(form, panel_for(enrollment))
    if not form.validate_on_submit():
        return _page(enrollment, **{name: form})
    try:
        message = action()
    except Refused as error:
        transaction.refuse(error, form)
        return _page(_enrollment_or_404(enrollment.id), **{name: form})
    flash(message, "success")
    return _back(enrollment)


@bp.get("/<int:enrollment_id>/status")
@allow(Staff)
def status(enrollment_id: int):
    """The enrollment's state, the history of its changes and a form for each act."""
    return _page(_enrollment_or_404(enrollment_id))


@bp.post("/<int:enrollment_id>/status/withdraw")
@allow(Staff)
def withdraw(enrollment_id: int):
    """Withdraw: the first post shows what will happen (and the refund to consider); the
    confirmed post withdraws and e-mails the trainee."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = WithdrawForm(prefix="withdraw")
    if not form.validate_on_submit():
        return _page(enrollment, withdraw=form)
    if form.confirmed.data != "yes":
        try:
            checked = services.check_withdrawal(
                enrollment, _me(), form.effective_on.data, form.grounds.data, form.reason.data
            )
        except Refused as error:
            transaction.refuse(error, form)
            return _page(enrollment, withdraw=form)
        form.confirmed.data = "yes"
        return render_template(
            "lifecycle/confirm_withdraw.html",
            enrollment=enrollment,
            form=form,
            checked=checked,
            summary=ledger_summary(enrollment.id),
            dollars=format_dollars,
        )

    def action() -> str:
        services.withdraw(
            enrollment, _me(), form.effective_on.data, form.grounds.data, form.reason.data
        )
        return f"{enrollment.trainee.full_name} is withdrawn; the trainee is told by e-mail."

    return _act(enrollment, "withdraw", form, action)


@bp.post("/<int:enrollment_id>/status/readmit")
@allow(Staff)
def readmit(enrollment_id: int):
    """Readmit a withdrawn enrollment; e-mails the trainee."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = ReadmitForm(prefix="readmit")

    def action() -> str:
        services.readmit(enrollment, _me(), form.effective_on.data, form.reason.data)
        return f"{enrollment.trainee.full_name} is readmitted."

    return _act(enrollment, "readmit", form, action)


@bp.post("/<int:enrollment_id>/status/leave")
@allow(Staff)
def leave(enrollment_id: int):
    """Start a leave of absence with an expected return date; e-mails the trainee."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = LeaveForm(prefix="leave")

    def action() -> str:
        change = services.start_leave(
            enrollment,
            _me(),
            form.starts_on.data,
            form.expected_return_on.data,
            form.reason.data,
        )
        return (
            f"Leave of absence recorded from {change.effective_on.isoformat()}, expected back "
            f"on {change.expected_return_on.isoformat() if change.expected_return_on else '?'}."
        )

    return _act(enrollment, "leave", form, action)


def _leave_id(form: ExtendLeaveForm | ReturnForm) -> int | None:
    value = (form.leave_id.data or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


@bp.post("/<int:enrollment_id>/status/leave/extend")
@allow(Staff)
def extend_leave(enrollment_id: int):
    """Move the expected return of the open leave; e-mails the trainee."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = ExtendLeaveForm(prefix="extend")

    def action() -> str:
        change = services.extend_leave(
            enrollment, _me(), _leave_id(form), form.expected_return_on.data, form.reason.data
        )
        back = change.expected_return_on.isoformat() if change.expected_return_on else "?"
        return f"The leave is extended: expected back on {back}."

    return _act(enrollment, "extend", form, action)


@bp.post("/<int:enrollment_id>/status/leave/return")
@allow(Staff)
def record_return(enrollment_id: int):
    """Record the return from the open leave; e-mails the trainee."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = ReturnForm(prefix="back")

    def action() -> str:
        change = services.record_return(
            enrollment, _me(), _leave_id(form), form.returned_on.data, form.reason.data
        )
        return f"Return from leave recorded as of {change.effective_on.isoformat()}."

    return _act(enrollment, "back", form, action)


@bp.post("/<int:enrollment_id>/status/move")
@allow(Staff)
def move(enrollment_id: int):
    """Defer to a later cohort or transfer to another cohort or track; e-mails the trainee."""
    enrollment = _enrollment_or_404(enrollment_id)
    form = MoveForm(prefix="move")

    def action() -> str:
        services.move(
            enrollment,
            _me(),
            form.kind.data,
            form.cohort_id.data,
            form.track_id.data,
            bool(form.use_newest.data),
            form.effective_on.data,
            form.reason.data,
        )
        done = "deferred" if form.kind.data == "deferred" else "transferred"
        cohort = enrollment.cohort.name if enrollment.cohort else "?"
        return f"{enrollment.trainee.full_name} is {done} to {cohort}."

    return _act(enrollment, "move", form, action)
