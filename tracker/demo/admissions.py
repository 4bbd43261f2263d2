"""Demo records of admissions, added on top of the demo enrollments an earlier step made.

`add_demo(context, summary)` takes the demo built so far (`tracker.demo.data.DemoContext`) and
only acts, through the admissions services (so everything is audited), on the demo program's
existing enrollments: it verifies credentials still waiting for verification and clears pending
health screenings of admitted trainees, gives each admitted trainee a backup supervisor where
none is assigned, and leaves one waiver granted then revoked, so the review page shows a waiver
history without changing anyone's progress. It creates no account, program or enrollment.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import select

from tracker.admissions import services
from tracker.core.errors import Refused
from tracker.eligibility.models import HealthScreening
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import SupervisorAssignment
from tracker.extensions import db

WAIVER = (
    "case_presentation.short",
    "Presented a KAP case at the program's 2025 case conference; the panel's evaluation is on "
    "file and counts as the required case presentation.",
    "Presented a case within the program after all, so the conference presentation is not "
    "needed; waiver withdrawn to keep the record plain.",
)


def _verify_pending(staff, trainee_id: int) -> int:
    """Verify the trainee's unverified credentials and clear a pending screening."""
    done = 0
    for model, method in ((Licence, "primary_source"), (Insurance, "carrier_confirmation")):
        for credential in db.session.scalars(
            select(model).where(model.trainee_id == trainee_id, model.verified_at.is_(None))
        ):
            services.verify_credential(credential, staff, method, "Checked for the demo.")
            done += 1
    screening = db.session.scalar(
        select(HealthScreening).where(
            HealthScreening.trainee_id == trainee_id,
            HealthScreening.superseded_at.is_(None),
            HealthScreening.clearance == "pending",
        )
    )
    if screening is not None:
        services.set_health_clearance(screening, staff, "cleared")
        done += 1
    return done


def _add_backup(staff, enrollment: Enrollment, supervisors: list) -> int:
    """Keep the current primary and add the other demo supervisor as backup, if none is."""
    current = {
        row.kind: row.supervisor_id
        for row in db.session.scalars(
            select(SupervisorAssignment).where(
                SupervisorAssignment.enrollment_id == enrollment.id,
                SupervisorAssignment.ended_at.is_(None),
            )
        )
    }
    if "backup" in current or not supervisors:
        return 0
    primary = current.get("primary", supervisors[0].id)
    backup = next((s.id for s in supervisors if s.id != primary), None)
    if backup is None:
        return 0
    with contextlib.suppress(Refused):
        return len(services.assign_supervisors(enrollment, staff, primary, backup))
    return 0


def add_demo(context: Any, summary: Any) -> None:
    """Add the admissions demo actions to the demo program's enrollments (see the module)."""
    staff = context.staff
    order = {trainee.id: n for n, trainee in enumerate(context.trainees)}
    enrollments = sorted(
        db.session.scalars(
            select(Enrollment).where(
                Enrollment.program_id == context.program.id,
                Enrollment.trainee_id.in_(list(order)),
            )
        ),
        key=lambda e: order[e.trainee_id],
    )
    admitted = [e for e in enrollments if e.status == "admitted"]
    verified = sum(_verify_pending(staff, e.trainee_id) for e in admitted)
    backups = sum(_add_backup(staff, e, list(context.supervisors)) for e in admitted)
    waivers = 0
    if admitted:
        target, reason, revocation = WAIVER
        with contextlib.suppress(Refused):
            waiver = services.grant_waiver(admitted[-1], staff, target, reason)
            services.revoke_waiver(admitted[-1], waiver, staff, revocation)
            waivers = 1
    summary.notes.append(
        f"Admissions: {len(admitted)} admitted enrollment(s); {verified} record(s) verified or "
        f"cleared; {backups} backup supervisor(s) assigned; {waivers} waiver granted and revoked."
    )
