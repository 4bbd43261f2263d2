"""Staff record an admitted enrollment's life: withdraw it (voluntary or dismissed) and readmit
it, put it on leave of absence, extend the leave and record the return, defer it to a later
cohort or transfer it to another cohort or track.

Each act is a new `EnrollmentChange` row (never an edit of an earlier one) with its effective
date, a reason of at least `REASON_MIN` characters and who recorded it; it writes its audit
events here, once, and queues the e-mail that tells the trainee, in the caller's transaction.
Services flush; the caller commits. A refused act raises `Refused` before anything is written.

The requirement-set rule of a move: the enrollment keeps the version it is pinned to unless
staff choose the track's newest one; a move to another track takes that track's newest version
(the pinned one belongs to the old track).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.audit.services import added
from tracker.audit.services import record
from tracker.certificates.models import Certificate
from tracker.core.clock import local_time
from tracker.core.clock import today_in
from tracker.core.duties import not_own
from tracker.core.errors import Refused
from tracker.core.guarded import update_if
from tracker.eligibility import validation
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.lifecycle.facts import leaves_of
from tracker.lifecycle.models import GROUNDS
from tracker.lifecycle.models import EnrollmentChange
from tracker.mail import queue
from tracker.programs.models import Cohort
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.progress import facts as f
from tracker.webhooks.events import emit

REASON_MIN = 10
REASON_MAX = 2000
AHEAD_DAYS = 366  # how far ahead a leave or a move may be dated
LONGEST_LEAVE_DAYS = 731
MOVE_KINDS = {"transferred": "Transfer", "deferred": "Deferral to a later cohort"}
CHANGED_MEANWHILE = "The enrollment changed meanwhile: look at it again."


# -- shared checks ----------------------------------------------------------------------------


def reason_text(value: str | None, field: str = "reason") -> str:
    """The reason staff wrote: REASON_MIN..REASON_MAX characters (line breaks allowed)."""
    text = (value or "").strip()
    if len(text) < REASON_MIN:
        raise Refused(f"Write the reason (at least {REASON_MIN} characters).", field)
    try:
        return validation.clean_text(
            text, max_length=REASON_MAX, min_length=REASON_MIN, multiline=True
        )
    except validation.ValidationProblem as problem:
        raise Refused(problem.message, field) from None


def program_today(enrollment: Enrollment) -> date:
    """Today where the enrollment's program is."""
    return today_in(enrollment.program.timezone)


def admitted_on(enrollment: Enrollment) -> date | None:
    """The day staff admitted the enrollment, where its program is."""
    moment = local_time(enrollment.decided_at, enrollment.program.timezone)
    return moment.date() if moment is not None else None


def _dated(
    value: date | None,
    field: str,
    enrollment: Enrollment,
    today: date,
    *,
    what: str,
    ahead: int = 0,
    after: date | None = None,
    after_what: str = "",
) -> date:
    """A date of an act: given, not before the admission (nor `after`), at most `ahead` days
    after today."""
    if value is None:
        raise Refused(f"Give the {what}.", field)
    start = admitted_on(enrollment)
    if start is not None and value < start:
        raise Refused(f"The {what} cannot be before the admission on {start.isoformat()}.", field)
    if after is not None and value <= after:
        raise Refused(f"The {what} must be after {after_what} ({after.isoformat()}).", field)
    if value > today + timedelta(days=ahead):
        if ahead == 0:
            raise Refused(f"The {what} cannot be in the future.", field)
        raise Refused(
            f"The {what} is too far ahead: at most {ahead} days from today "
            f"({(today + timedelta(days=ahead)).isoformat()}).",
            field,
        )
    return value


def _staff_may_act(staff: User, enrollment: Enrollment) -> None:
    not_own(
        staff.id,
        enrollment.trainee_id,
        "You cannot record changes to your own enrollment: ask another staff member.",
    )


def _require_status(enrollment: Enrollment, status: str, message: str) -> None:
    if enrollment.status != status:
        raise Refused(message)


def changes_of(enrollment_id: int) -> list[EnrollmentChange]:
    """The enrollment's changes, oldest first."""
    return list(
        db.session.scalars(
            select(EnrollmentChange)
            .where(EnrollmentChange.enrollment_id == enrollment_id)
            .order_by(EnrollmentChange.id)
        )
    )


def leaves(enrollment_id: int) -> tuple[f.Leave, ...]:
    """The enrollment's leaves of absence as the engine reads them."""
    return leaves_of(
        [
            (c.id, c.kind, c.effective_on, c.expected_return_on, c.leave_id)
            for c in changes_of(enrollment_id)
        ]
    )


def open_leave(enrollment_id: int) -> f.Leave | None:
    """The leave with no return recorded (begun or still to begin), if any."""
    return next((leave for leave in leaves(enrollment_id) if leave.returned_on is None), None)


def _lock(enrollment: Enrollment) -> None:
    """Hold the enrollment's row (PostgreSQL) so that two acts on it queue up."""
    db.session.execute(
        select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update()
    )


def _add(enrollment: Enrollment, staff: User, kind: str, **values: Any) -> EnrollmentChange:
    change = EnrollmentChange(
        enrollment_id=enrollment.id,
        kind=kind,
        recorded_by_id=staff.id,
        recorded_at=utcnow(),
        **values,
    )
    added(
        f"enrollment_change.{kind}",
        change,
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    return change


def _change_status(
    enrollment: Enrollment,
    staff: User,
    from_status: str,
    to_status: str,
    day: date,
    text: str,
    *,
    kind: str | None = None,
    **details: Any,
) -> EnrollmentChange:
    """Move the locked enrollment from `from_status` to `to_status` (refused if it changed
    meanwhile), add the change of that `kind` (by default the new status) with its `details`,
    and audit the move as `enrollment.<kind>`."""
    kind = kind or to_status
    _lock(enrollment)
    update_if(
        enrollment,
        Enrollment.status == from_status,
        values={"status": to_status},
        refused=CHANGED_MEANWHILE,
    )
    change = _add(
        enrollment,
        staff,
        kind,
        effective_on=day,
        reason=text,
        from_status=from_status,
        to_status=to_status,
        **details,
    )
    record(
        f"enrollment.{kind}",
        enrollment,
        before={"status": from_status},
        after={
            "status": to_status,
            "change_id": change.id,
            "effective_on": day,
            "reason": text,
            **details,
        },
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    return change


def _mail(enrollment: Enrollment, subject: str, template: str, **context: Any) -> None:
    """Tell the trainee (sent once the change has committed)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    queue(
        enrollment.trainee.email,
        subject,
        template,
        trainee=enrollment.trainee,
        enrollment=enrollment,
        program=enrollment.program,
        link=f"{base}/home",
        **context,
    )


# -- withdrawal and readmission ---------------------------------------------------------------


@dataclass(frozen=True)
class Withdrawal:
    """A withdrawal checked and ready to record (what the confirmation page shows)."""

    effective_on: date
    grounds: str
    reason: str

    @property
    def grounds_label(self) -> str:
        """Voluntary or dismissed, as a person reads it."""
        return GROUNDS[self.grounds]


def check_withdrawal(
    enrollment: Enrollment,
    staff: User,
    effective_on: date | None,
    grounds: str | None,
    reason: str | None,
    today: date | None = None,
) -> Withdrawal:
    """Check a withdrawal without recording it: admitted, not certified, a date not before the
    admission and not in the future, the grounds and a reason."""
    today = today or program_today(enrollment)
    _staff_may_act(staff, enrollment)
    _require_status(
        enrollment,
        "admitted",
        f"Only an admitted enrollment can be withdrawn; this one is {enrollment.status}.",
    )
    if grounds not in GROUNDS:
        raise Refused("Choose whether the withdrawal is voluntary or a dismissal.", "grounds")
    day = _dated(effective_on, "effective_on", enrollment, today, what="withdrawal date")
    text = reason_text(reason)
    certified = db.session.scalar(
        select(Certificate.id).where(
            Certificate.enrollment_id == enrollment.id, Certificate.revoked_at.is_(None)
        )
    )
    if certified is not None:
        raise Refused(
            "This trainee holds a certificate: revoke it first if the program withdraws it."
        )
    return Withdrawal(day, str(grounds), text)


def withdraw(
    enrollment: Enrollment,
    staff: User,
    effective_on: date | None,
    grounds: str | None,
    reason: str | None,
    today: date | None = None,
) -> EnrollmentChange:
    """Withdraw an admitted enrollment (voluntary, or dismissed by the program) as of
    `effective_on` (not before the admission, not in the future). Its records stay; it leaves
    the active lists, the queues and the digests; a leave still open ends with it."""
    checked = check_withdrawal(enrollment, staff, effective_on, grounds, reason, today)
    day, text, grounds = checked.effective_on, checked.reason, checked.grounds
    change = _change_status(enrollment, staff, "admitted", "withdrawn", day, text, grounds=grounds)
    emit(
        "enrollment.withdrawn",
        {
            "enrollment_id": enrollment.id,
            "program_id": enrollment.program_id,
            "on": day.isoformat(),
        },
    )
    _mail(
        enrollment,
        f"Your enrollment in {enrollment.program.name} is withdrawn",
        "mail/enrollment_withdrawn.txt",
        change=change,
        grounds_label=GROUNDS[grounds],
    )
    return change


def readmit(
    enrollment: Enrollment,
    staff: User,
    effective_on: date | None,
    reason: str | None,
    today: date | None = None,
) -> EnrollmentChange:
    """Readmit a withdrawn enrollment as of `effective_on` (not before its withdrawal, not in the
    future), on the cohort, track and requirement version it had; its clocks leave out the time
    it was withdrawn."""
    today = today or program_today(enrollment)
    _staff_may_act(staff, enrollment)
    _require_status(enrollment, "withdrawn", "Only a withdrawn enrollment can be readmitted.")
    withdrawals = [c for c in changes_of(enrollment.id) if c.kind == "withdrawn"]
    last = withdrawals[-1].effective_on if withdrawals else None
    day = _dated(effective_on, "effective_on", enrollment, today, what="readmission date")
    if last is not None and day < last:
        raise Refused(
            f"The readmission date cannot be before the withdrawal on {last.isoformat()}.",
            "effective_on",
        )
    text = reason_text(reason)
    change = _change_status(
        enrollment, staff, "withdrawn", "admitted", day, text, kind="readmitted"
    )
    _mail(
        enrollment,
        f"Welcome back to {enrollment.program.name}",
        "mail/enrollment_readmitted.txt",
        change=change,
    )
    return change


# -- leave of absence -------------------------------------------------------------------------


def start_leave(
    enrollment: Enrollment,
    staff: User,
    starts_on: date | None,
    expected_return_on: date | None,
    reason: str | None,
    today: date | None = None,
) -> EnrollmentChange:
    """Put an admitted enrollment on leave of absence from `starts_on` (not before admission, at
    most a year ahead) until `expected_return_on` (after the start, within two years of it).
    Pace and inactivity clocks stop for the leave's days."""
    today = today or program_today(enrollment)
    _staff_may_act(staff, enrollment)
    _require_status(enrollment, "admitted", "Only an admitted enrollment can go on leave.")
    start = _dated(
        starts_on, "starts_on", enrollment, today, what="start of the leave", ahead=AHEAD_DAYS
    )
    back = _leave_end(expected_return_on, start)
    text = reason_text(reason)
    _lock(enrollment)
    if open_leave(enrollment.id) is not None:
        raise Refused(
            "A leave is already recorded with no return: record the return or extend it.",
            "starts_on",
        )
    change = _add(
        enrollment, staff, "leave", effective_on=start, expected_return_on=back, reason=text
    )
    _mail(
        enrollment,
        f"Your leave of absence from {enrollment.program.name}",
        "mail/enrollment_leave.txt",
        change=change,
    )
    return change


def _leave_end(value: date | None, start: date, field: str = "expected_return_on") -> date:
    if value is None:
        raise Refused("Give the expected return date.", field)
    if value <= start:
        raise Refused(
            f"The expected return must be after the start of the leave ({start.isoformat()}).",
            field,
        )
    if value > start + timedelta(days=LONGEST_LEAVE_DAYS):
        raise Refused(
            f"A leave can last at most {LONGEST_LEAVE_DAYS} days: record a withdrawal instead, "
            "or a new leave later.",
            field,
        )
    return value


def _the_open_leave(enrollment: Enrollment, leave_id: int | None) -> f.Leave:
    leave = open_leave(enrollment.id)
    if leave is None or (leave_id is not None and leave.id != leave_id):
        raise Refused("This enrollment has no leave without a return recorded.")
    return leave


def extend_leave(
    enrollment: Enrollment,
    staff: User,
    leave_id: int | None,
    expected_return_on: date | None,
    reason: str | None,
    today: date | None = None,
) -> EnrollmentChange:
    """Move the expected return of the open leave (a new date after its start, not the same)."""
    today = today or program_today(enrollment)
    _staff_may_act(staff, enrollment)
    _require_status(enrollment, "admitted", "Only an admitted enrollment can be on leave.")
    _lock(enrollment)  # before reading the open leave: two changes to it queue up
    leave = _the_open_leave(enrollment, leave_id)
    back = _leave_end(expected_return_on, leave.starts_on)
    if back == leave.expected_return_on:
        raise Refused("This is already the expected return date.", "expected_return_on")
    if back < today:
        raise Refused(
            "The new expected return is already past: record the return instead.",
            "expected_return_on",
        )
    text = reason_text(reason)
    change = _add(
        enrollment,
        staff,
        "leave_extended",
        effective_on=today,
        expected_return_on=back,
        leave_id=int(str(leave.id)),
        reason=text,
    )
    _mail(
        enrollment,
        f"Your leave of absence from {enrollment.program.name}: new return date",
        "mail/enrollment_leave.txt",
        change=change,
    )
    return change


def record_return(
    enrollment: Enrollment,
    staff: User,
    leave_id: int | None,
    returned_on: date | None,
    reason: str | None,
    today: date | None = None,
) -> EnrollmentChange:
    """End the open leave: the trainee is back from `returned_on` (after the leave's start, not
    in the future); the clocks run again from that day."""
    today = today or program_today(enrollment)
    _staff_may_act(staff, enrollment)
    _require_status(enrollment, "admitted", "Only an admitted enrollment can be on leave.")
    _lock(enrollment)  # before reading the open leave: two changes to it queue up
    leave = _the_open_leave(enrollment, leave_id)
    day = _dated(
        returned_on,
        "returned_on",
        enrollment,
        today,
        what="return date",
        after=leave.starts_on,
        after_what="the start of the leave",
    )
    text = reason_text(reason)
    change = _add(
        enrollment,
        staff,
        "returned",
        effective_on=day,
        leave_id=int(str(leave.id)),
        reason=text,
    )
    _mail(
        enrollment,
        f"Welcome back from your leave: {enrollment.program.name}",
        "mail/enrollment_returned.txt",
        change=change,
    )
    return change


# -- deferral and transfer --------------------------------------------------------------------


@dataclass(frozen=True)
class MovePlan:
    """Where a move takes the enrollment: cohort, track and requirement-set version."""

    cohort: Cohort
    track: Track
    requirements: RequirementSet
    keeps_version: bool


def newest_version(track_id: int) -> RequirementSet | None:
    """The track's newest requirement-set version."""
    return db.session.scalar(
        select(RequirementSet)
        .where(RequirementSet.track_id == track_id)
        .order_by(RequirementSet.version.desc())
        .limit(1)
    )


def plan_move(
    enrollment: Enrollment,
    kind: str | None,
    cohort_id: int | None,
    track_id: int | None,
    use_newest: bool,
    today: date,
) -> MovePlan:
    """Check a deferral or transfer and say where it leads (nothing is written)."""
    if kind not in MOVE_KINDS:
        raise Refused("Choose a transfer or a deferral.", "kind")
    cohort = db.session.get(Cohort, cohort_id) if cohort_id else None
    if cohort is None or cohort.program_id != enrollment.program_id:
        raise Refused(f"Choose one of the cohorts of {enrollment.program.name}.", "cohort_id")
    track = db.session.get(Track, track_id) if track_id else enrollment.track
    if track is None or track.program_id != enrollment.program_id:
        raise Refused(f"Choose one of the tracks of {enrollment.program.name}.", "track_id")
    if cohort.ends_on < today:
        raise Refused("This cohort has already ended; choose another one.", "cohort_id")
    current = enrollment.cohort
    if kind == "deferred":
        if track.id != enrollment.track_id:
            raise Refused("A deferral keeps the track: record a transfer to change it.", "track_id")
        if cohort.id == enrollment.cohort_id:
            raise Refused("Choose a cohort other than the current one.", "cohort_id")
        if current is not None and cohort.starts_on <= current.starts_on:
            raise Refused(
                "A deferral is to a later cohort: choose one that starts after "
                f"{current.name} ({current.starts_on.isoformat()}), or record a transfer.",
                "cohort_id",
            )
    elif cohort.id == enrollment.cohort_id and track.id == enrollment.track_id:
        raise Refused(
            "The enrollment is already in this cohort and track: choose another cohort or track.",
            "cohort_id",
        )
    pinned = enrollment.pinned_requirements
    if track.id != enrollment.track_id or pinned is None or use_newest:
        requirements = newest_version(track.id)
        if requirements is None:
            raise Refused(
                "The chosen track has no requirements yet: define them first.", "track_id"
            )
    else:
        requirements = pinned
    return MovePlan(cohort, track, requirements, requirements.id == enrollment.requirement_set_id)


def move(
    enrollment: Enrollment,
    staff: User,
    kind: str | None,
    cohort_id: int | None,
    track_id: int | None,
    use_newest: bool,
    effective_on: date | None,
    reason: str | None,
    today: date | None = None,
) -> EnrollmentChange:
    """Defer the admitted enrollment to a later cohort, or transfer it to another cohort or
    track, as of `effective_on`. The pinned requirement version stays unless `use_newest` (or
    the track changes, which takes the new track's newest version)."""
    today = today or program_today(enrollment)
    _staff_may_act(staff, enrollment)
    _require_status(
        enrollment,
        "admitted",
        "Only an admitted enrollment can be moved; before admission the applicant chooses the "
        "cohort and track.",
    )
    plan = plan_move(enrollment, kind, cohort_id, track_id, use_newest, today)
    day = _dated(
        effective_on, "effective_on", enrollment, today, what="effective date", ahead=AHEAD_DAYS
    )
    text = reason_text(reason)
    before = {
        "status": enrollment.status,
        "cohort_id": enrollment.cohort_id,
        "track_id": enrollment.track_id,
        "requirement_set_id": enrollment.requirement_set_id,
    }
    _lock(enrollment)
    update_if(
        enrollment,
        Enrollment.status == "admitted",
        Enrollment.cohort_id == before["cohort_id"]
        if before["cohort_id"] is not None
        else Enrollment.cohort_id.is_(None),
        values={
            "cohort_id": plan.cohort.id,
            "track_id": plan.track.id,
            "requirement_set_id": plan.requirements.id,
        },
        refused=CHANGED_MEANWHILE,
    )
    change = _add(
        enrollment,
        staff,
        str(kind),
        effective_on=day,
        reason=text,
        from_cohort_id=before["cohort_id"],
        to_cohort_id=plan.cohort.id,
        from_track_id=before["track_id"],
        to_track_id=plan.track.id,
        from_requirement_set_id=before["requirement_set_id"],
        to_requirement_set_id=plan.requirements.id,
    )
    record(
        f"enrollment.{kind}",
        enrollment,
        before=before,
        after={
            "status": enrollment.status,
            "cohort_id": plan.cohort.id,
            "track_id": plan.track.id,
            "requirement_set_id": plan.requirements.id,
            "requirement_version": plan.requirements.version,
            "change_id": change.id,
            "effective_on": day,
            "reason": text,
        },
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    _mail(
        enrollment,
        f"Your enrollment in {enrollment.program.name}: "
        f"{'deferred' if kind == 'deferred' else 'transferred'}",
        "mail/enrollment_moved.txt",
        change=change,
        cohort=plan.cohort,
        track=plan.track,
        requirements=plan.requirements,
        keeps_version=plan.keeps_version,
    )
    return change
