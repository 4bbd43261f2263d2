"""Changes to an admitted trainee's terms: waivers, the requirement-set version and
supervisor assignments."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.admissions.services.common import ASSIGNMENT_KINDS
from tracker.admissions.services.common import _lock
from tracker.admissions.services.common import _not_own
from tracker.admissions.services.common import _require_open
from tracker.admissions.services.common import _text
from tracker.admissions.services.common import decided
from tracker.admissions.services.common import newest_requirements
from tracker.audit.services import record
from tracker.core.clock import today_in
from tracker.core.errors import Refused
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.enrollments.models import Waiver
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.notifications.services import notify
from tracker.notifications.services import path_for
from tracker.programs.models import RequirementSet
from tracker.progress import ITEM_CODES
from tracker.progress import Step

# -- waivers --------------------------------------------------------------------------------------


def waiver_targets() -> dict[str, str]:
    """What staff may waive: each step ("step:N") and each waivable item code, with a label."""
    targets = {f"step:{step.value}": f"Step {step.value}: {step.title}" for step in Step}
    for code, entry in sorted(ITEM_CODES.items(), key=lambda pair: (pair[1].steps[0], pair[0])):
        if entry.waivable:
            targets[code] = f"{entry.description.rstrip('.')} (step {entry.steps[0]})"
    return targets


def target_label(target: str) -> str:
    """A waiver's target as a person reads it."""
    return waiver_targets().get(target, target)


def in_force(waiver: Waiver, today: date) -> bool:
    """True while the waiver applies on `today`: not revoked, not ended, within its end date."""
    last = waiver.last_day
    return waiver.revoked_at is None and (last is None or today <= last)


def grant_waiver(
    enrollment: Enrollment,
    staff: User,
    target: str,
    reason: str,
    ends_on: date | None = None,
) -> Waiver:
    """Waive a step (1-9) or an item code for this enrollment, with a written reason and an
    optional end date (the last day it applies; today or later)."""
    _require_open(enrollment)
    _not_own(staff, enrollment.trainee_id)
    if target not in waiver_targets():
        raise Refused("Choose a step or an item that can be waived.", "target")
    text = _text(reason, "reason", required=True)
    today = today_in(enrollment.program.timezone)
    if ends_on is not None and ends_on < today:
        raise Refused("The end date cannot be in the past.", "ends_on")
    _lock(enrollment)
    current = db.session.scalars(
        select(Waiver).where(
            Waiver.enrollment_id == enrollment.id,
            Waiver.target == target,
            Waiver.revoked_at.is_(None),
        )
    )
    existing = next((w.id for w in current if in_force(w, today)), None)
    if existing is not None:
        raise Refused(
            "This is already waived: revoke the current waiver first to change it.", "target"
        )
    waiver = Waiver(
        enrollment_id=enrollment.id,
        target=target,
        reason=text,
        granted_by_id=staff.id,
        granted_at=utcnow(),
        ends_on=ends_on,
    )
    db.session.add(waiver)
    db.session.flush()
    record(
        "waiver.granted",
        waiver,
        after={
            "enrollment_id": enrollment.id,
            "target": target,
            "reason": text,
            "ends_on": ends_on,
        },
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    return waiver


def _may_change_waiver(enrollment: Enrollment, waiver: Waiver, staff: User) -> None:
    """Refused unless `waiver` is the open enrollment's and `staff` is not its trainee."""
    if waiver.enrollment_id != enrollment.id:
        raise Refused("This waiver belongs to another enrollment.")
    _require_open(enrollment)
    _not_own(staff, enrollment.trainee_id)


def revoke_waiver(enrollment: Enrollment, waiver: Waiver, staff: User, reason: str) -> Waiver:
    """Revoke a waiver (it stays on file with its revocation time), with a reason."""
    _may_change_waiver(enrollment, waiver, staff)
    if waiver.revoked_at is not None:
        raise Refused("This waiver is already revoked.")
    text = _text(reason, "reason", required=True)
    now = utcnow()
    decided(
        waiver,
        "waiver.revoked",
        Waiver.revoked_at.is_(None),
        values={"revoked_at": now},
        before={"target": waiver.target, "reason": waiver.reason, "revoked_at": None},
        after={"target": waiver.target, "revoked_at": now, "revocation_reason": text},
        staff=staff,
        trainee_id=enrollment.trainee_id,
        refused="This waiver changed meanwhile: look at it again.",
    )
    return waiver


def end_waiver(enrollment: Enrollment, waiver: Waiver, staff: User, reason: str) -> Waiver:
    """End a waiver early, with a reason: it applied until yesterday and no longer applies from
    today (the program's date). It stays on file with who ended it, when and why."""
    _may_change_waiver(enrollment, waiver, staff)
    today = today_in(enrollment.program.timezone)
    if waiver.revoked_at is not None:
        raise Refused("This waiver is revoked: there is nothing to end.")
    if waiver.ended_at is not None:
        raise Refused("This waiver is already ended.")
    if not in_force(waiver, today):
        raise Refused("This waiver already stopped applying on its end date.")
    text = _text(reason, "reason", required=True)
    now = utcnow()
    decided(
        waiver,
        "waiver.ended",
        Waiver.revoked_at.is_(None),
        Waiver.ended_at.is_(None),
        values={
            "ended_on": today,
            "ended_at": now,
            "ended_by_id": staff.id,
            "end_reason": text,
        },
        before={"target": waiver.target, "ends_on": waiver.ends_on, "ended_on": None},
        after={
            "target": waiver.target,
            "ends_on": waiver.ends_on,
            "ended_on": today,
            "end_reason": text,
        },
        staff=staff,
        trainee_id=enrollment.trainee_id,
        refused="This waiver changed meanwhile: look at it again.",
    )
    return waiver


# -- requirement-set version ----------------------------------------------------------------------


def requirements_move_target(enrollment: Enrollment) -> RequirementSet | None:
    """The version an enrollment may move to: its track's newest, when the enrollment is admitted
    and pinned to an older version (or to none); None otherwise. The review page offers the move
    exactly when this names a version."""
    if enrollment.status != "admitted":
        return None
    newest = newest_requirements(enrollment.track_id)
    current = enrollment.pinned_requirements
    if newest is None or (current is not None and newest.version <= current.version):
        return None
    return newest


def move_to_newest_requirements(
    enrollment: Enrollment, staff: User, expected_id: int | None, note: str = ""
) -> RequirementSet:
    """Move an admitted enrollment to its track's newest requirement-set version. `expected_id`
    is the version staff saw when they confirmed: a newer one added since is refused."""
    if enrollment.status != "admitted":
        raise Refused(
            "Only an admitted enrollment is pinned to a version; until admission it follows the "
            "track's current requirements."
        )
    _not_own(staff, enrollment.trainee_id)
    text = _text(note, "note", required=False)
    current = enrollment.pinned_requirements
    newest = requirements_move_target(enrollment)
    if newest is None:
        raise Refused("The enrollment already follows the newest version.")
    if expected_id is not None and expected_id != newest.id:
        raise Refused(
            f"Version {newest.version} was added meanwhile: review the change and confirm again."
        )
    old_id = enrollment.requirement_set_id
    decided(
        enrollment,
        "enrollment.requirements_moved",
        Enrollment.status == "admitted",
        Enrollment.requirement_set_id.is_(None)
        if old_id is None
        else Enrollment.requirement_set_id == old_id,
        values={"requirement_set_id": newest.id},
        before={
            "requirement_set_id": old_id,
            "requirement_version": current.version if current is not None else None,
        },
        after={
            "requirement_set_id": newest.id,
            "requirement_version": newest.version,
            "note": text,
        },
        staff=staff,
        trainee_id=enrollment.trainee_id,
        refused="The enrollment changed meanwhile: look at it again.",
    )
    return newest


# -- supervisor assignments -----------------------------------------------------------------------


def _supervisor(user_id: int | None, enrollment: Enrollment, field: str) -> User:
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.is_supervisor or not user.active:
        raise Refused("Choose a person who holds the supervisor role.", field)
    if user.id == enrollment.trainee_id:
        raise Refused("A trainee cannot supervise themself.", field)
    return user


def assign_supervisors(
    enrollment: Enrollment, staff: User, primary_id: int | None, backup_id: int | None
) -> list[SupervisorAssignment]:
    """Assign the primary supervisor and optionally a backup. A change ends the current row
    (ended_at) and adds a new one, so the history stays; no backup ends the current backup.
    Returns the rows added."""
    _require_open(enrollment)
    _not_own(staff, enrollment.trainee_id)
    primary = _supervisor(primary_id, enrollment, "primary")
    backup = _supervisor(backup_id, enrollment, "backup") if backup_id else None
    if backup is not None and backup.id == primary.id:
        raise Refused("The backup must be someone other than the primary.", "backup")
    _lock(enrollment)
    current = list(
        db.session.scalars(
            select(SupervisorAssignment).where(
                SupervisorAssignment.enrollment_id == enrollment.id,
                SupervisorAssignment.ended_at.is_(None),
            )
        )
    )
    wanted = {"primary": primary, "backup": backup}
    now = utcnow()
    added: list[SupervisorAssignment] = []
    changes = 0
    for kind in ASSIGNMENT_KINDS:
        person = wanted[kind]
        rows = [row for row in current if row.kind == kind]
        if person is not None and [row.supervisor_id for row in rows] == [person.id]:
            continue
        if person is None and not rows:
            continue
        for row in rows:
            row.ended_at = now
        row_added = None
        if person is not None:
            row_added = SupervisorAssignment(
                enrollment_id=enrollment.id,
                supervisor_id=person.id,
                kind=kind,
                assigned_at=now,
                assigned_by_id=staff.id,
            )
            db.session.add(row_added)
            added.append(row_added)
        db.session.flush()
        changes += 1
        record(
            "supervisor_assignment.changed",
            row_added or rows[0],
            before={"kind": kind, "supervisor_ids": [row.supervisor_id for row in rows]},
            after={"kind": kind, "supervisor_id": person.id if person is not None else None},
            actor_id=staff.id,
            subject_user_id=enrollment.trainee_id,
        )
    if not changes:
        raise Refused("These supervisors are already assigned.", "primary")
    _tell_assigned(enrollment, added)
    return added


def _tell_assigned(enrollment: Enrollment, added: list[SupervisorAssignment]) -> None:
    """Notice the trainee of their supervisors now, and each newly assigned supervisor."""
    names = {row.kind: db.session.get(User, row.supervisor_id) for row in added}
    program = enrollment.program.name
    if names:
        said = "; ".join(f"{kind}: {person.full_name}" for kind, person in names.items())
        notify(
            enrollment.trainee,
            "supervisor.assigned",
            f"Your supervisors for {program} changed ({said}).",
            path_for("dashboard.trainee"),
        )
    else:
        notify(
            enrollment.trainee,
            "supervisor.assigned",
            f"Your backup supervisor for {program} was removed.",
            path_for("dashboard.trainee"),
        )
    for kind, person in names.items():
        notify(
            person,
            "supervisor.assigned",
            f"You were assigned as {kind} supervisor of {enrollment.trainee.full_name} "
            f"({program}).",
            path_for("signoffs.queue"),
        )
