"""Builders of enrollments in any state, supervisor assignments and waivers."""

from __future__ import annotations

import json
from datetime import date
from datetime import timedelta
from typing import Any

from tracker.accounts.models import User
from tracker.audit.services import audited
from tracker.audit.services import record
from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.models import Waiver
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.factories import added
from tracker.factories import at
from tracker.factories import id_of
from tracker.factories import next_number
from tracker.factories.programs import make_program
from tracker.factories.programs import spec_data
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track


def make_enrollment(
    trainee: User,
    status: str = "admitted",
    timezone: str = "UTC",
    cohort_started_days_ago: int = 60,
    *,
    cohort_ends_in_days: int = 300,
    program_name: str | None = None,
    cohort_name: str | None = None,
    track_name: str | None = "Online",
    tuition_cents: int = 450_000,
    decided_days_ago: int | None = None,
    pin: bool | None = None,
    **spec_changes: Any,
) -> Enrollment:
    """An enrollment of `trainee` in a new program (one track, one running cohort) whose
    requirements are the defaults plus `spec_changes`, pinned when admitted (or when `pin`).
    `track_name=None` leaves the enrollment without a track. `decided_days_ago` dates the
    submission and the decision."""
    n = next_number()
    today = today_in(timezone)
    program = Program(name=program_name or f"Program {n}", timezone=timezone)
    cohort = Cohort(
        program=program,
        name=cohort_name or f"Cohort {n}",
        starts_on=today - timedelta(days=cohort_started_days_ago),
        ends_on=today + timedelta(days=cohort_ends_in_days),
    )
    track = requirements = None
    if track_name is not None:
        track = Track(
            program=program, name=track_name, format="online", tuition_cents=tuition_cents
        )
        requirements = RequirementSet(
            track=track, version=1, content=json.dumps(spec_data(**spec_changes))
        )
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program=program,
        track=track,
        cohort=cohort,
        status=status,
        pinned_requirements=requirements
        if (status == "admitted" if pin is None else pin)
        else None,
    )
    if decided_days_ago is not None:
        enrollment.submitted_at = utcnow() - timedelta(days=decided_days_ago + 10)
        enrollment.decided_at = utcnow() - timedelta(days=decided_days_ago)
    db.session.add_all([program, cohort, enrollment])
    db.session.flush()
    return recorded(enrollment)


def enroll(
    trainee: User,
    program: Program | None = None,
    status: str = "applicant",
    submitted_days_ago: int | None = None,
    **spec_changes: Any,
) -> Enrollment:
    """An enrollment of `trainee` on `program`'s first track and cohort (a new program when
    None). Submitted `submitted_days_ago` days ago when given; an admitted or declined one was
    decided yesterday, and an admitted one is pinned to the track's first requirements."""
    program = program or make_program(**spec_changes)
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program_id=program.id,
        track_id=program.tracks[0].id,
        cohort_id=program.cohorts[0].id,
        status=status,
    )
    if submitted_days_ago is not None and status != "applicant":
        enrollment.submitted_at = utcnow() - timedelta(days=submitted_days_ago)
        if status in ("admitted", "declined"):
            enrollment.decided_at = utcnow() - timedelta(days=1)
        if status == "admitted":
            enrollment.requirement_set_id = program.tracks[0].requirement_sets[0].id
    return recorded(added(enrollment))


def applied(
    trainee: User,
    track: Track,
    cohort: Cohort,
    status: str,
    today: date,
    staff: User,
    *,
    submitted_on: date | None = None,
    decided_on: date | None = None,
    **values: Any,
) -> Enrollment:
    """An enrollment that applied on `submitted_on` (270 days before `today` unless given) and,
    when admitted, was admitted by `staff` on `decided_on` (250 days before) on the track's
    current requirements."""
    submitted_on = submitted_on or today - timedelta(days=270)
    enrollment = Enrollment(
        trainee_id=trainee.id,
        program_id=track.program_id,
        track_id=track.id,
        cohort_id=cohort.id,
        status=status,
        submitted_at=at(submitted_on) if status != "applicant" else None,
        **values,
    )
    if status == "admitted":
        enrollment.requirement_set_id = track.current_requirements.id
        enrollment.decided_at = at(decided_on or today - timedelta(days=250))
        enrollment.decided_by_id = staff.id
    return recorded(added(enrollment))


def recorded(enrollment: Enrollment) -> Enrollment:
    """The enrollment, with the audit event that records it as it stands (its status), as the
    services' events would have."""
    record(
        "enrollment.created",
        enrollment,
        after=audited(enrollment),
        subject_user_id=enrollment.trainee_id,
    )
    return enrollment


def assign(
    enrollment: Enrollment,
    supervisor: User,
    kind: str = "primary",
    ended: bool = False,
    assigned_by: User | None = None,
) -> SupervisorAssignment:
    """Assign a supervisor (primary or backup; `ended` makes it history)."""
    return added(
        SupervisorAssignment(
            enrollment_id=enrollment.id,
            supervisor_id=supervisor.id,
            kind=kind,
            ended_at=utcnow() if ended else None,
            assigned_by_id=id_of(assigned_by),
        )
    )


def waive_steps(
    enrollment: Enrollment,
    *steps: int,
    reason: str = "Equivalent training.",
    staff: User | None = None,
) -> list[Waiver]:
    """Staff waivers of whole steps, as the waiver records hold them."""
    waivers = [
        Waiver(
            enrollment_id=enrollment.id,
            target=f"step:{n}",
            reason=reason,
            granted_by_id=id_of(staff),
        )
        for n in steps
    ]
    db.session.add_all(waivers)
    db.session.flush()
    return waivers
