"""Builders of ledger entries and payment plans."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from tracker.accounts.models import User
from tracker.audit.services import audited
from tracker.audit.services import record
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.factories import added
from tracker.finance import services
from tracker.finance.models import Instalment
from tracker.finance.models import LedgerEntry
from tracker.finance.models import PaymentPlan


def tuition_charged_on(enrollment: Enrollment, on: date, staff: User) -> LedgerEntry:
    """The track's tuition charged on `on` (the service charges today only), with its event."""
    entry = added(
        LedgerEntry(
            enrollment_id=enrollment.id,
            kind="charge",
            amount_cents=enrollment.track.tuition_cents,
            description=f"Tuition: {enrollment.track.name}",
            tuition=True,
            posted_on=on,
            recorded_by_id=staff.id,
        )
    )
    record(
        "ledger.entry_added",
        entry,
        after=audited(entry),
        actor_id=staff.id,
        subject_user_id=enrollment.trainee_id,
    )
    return entry


def record_payment(
    enrollment: Enrollment,
    cents: int,
    description: str,
    on: date,
    method: str,
    reference: str,
    staff: User,
    *,
    overpayment_confirmed: bool = False,
) -> LedgerEntry:
    """A payment recorded by `staff` through the ledger service (one above the balance owed
    only with `overpayment_confirmed`)."""
    new = services.NewEntry(
        "payment",
        cents,
        description,
        on,
        method,
        reference,
        overpayment_confirmed=overpayment_confirmed,
    )
    return services.record_entry(enrollment.id, new, staff)


def voided(entry: LedgerEntry, staff: User, reason: str) -> LedgerEntry:
    """The void of `entry`, recorded today by `staff` through the ledger service."""
    return services.void_entry(entry.enrollment_id, entry.id, reason, staff)


def plan_as_agreed(
    enrollment: Enrollment, staff: User, instalments: Iterable[tuple[date, int]]
) -> PaymentPlan:
    """A payment plan agreed long ago, with instalments (due date, cents) whose dates may have
    passed (the service plans what is owed from today on)."""
    plan = added(PaymentPlan(enrollment_id=enrollment.id, created_by_id=staff.id))
    db.session.add_all(
        Instalment(plan_id=plan.id, due_on=due_on, amount_cents=cents)
        for due_on, cents in instalments
    )
    db.session.flush()
    return plan
