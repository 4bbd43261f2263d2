"""Ledger rules: entries are appended, never changed (a mistake is voided by a new entry that
takes it back); refunds never exceed what was paid; a payment above the balance needs the
recorder's confirmation and a payment's reference is used once per enrollment; a payment plan
covers exactly the balance outstanding when it is made. Services flush; the caller commits.

Every rule that depends on the ledger's totals re-reads them after locking the enrollment row,
so two requests racing (two refunds, two tuition charges) cannot both pass the check. PostgreSQL
takes the row lock with SELECT ... FOR UPDATE; on SQLite a writing request already holds the
database's write lock from its first statement (BEGIN IMMEDIATE), which serialises them too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal
from decimal import InvalidOperation

from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.audit.services import added
from tracker.audit.services import changed
from tracker.core.clock import today_in
from tracker.core.duties import not_own
from tracker.core.errors import Refused
from tracker.core.text import one_line
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.finance.models import CHARGE
from tracker.finance.models import DISCOUNT
from tracker.finance.models import EARLIEST_DATE
from tracker.finance.models import ENTRY_KINDS
from tracker.finance.models import MAX_AMOUNT_CENTS
from tracker.finance.models import MONEY_KINDS
from tracker.finance.models import PAYMENT
from tracker.finance.models import PAYMENT_METHODS
from tracker.finance.models import REFUND
from tracker.finance.models import SCHOLARSHIP
from tracker.finance.models import Instalment
from tracker.finance.models import LedgerEntry
from tracker.finance.models import PaymentPlan
from tracker.finance.queries import net_amount
from tracker.finance.queries import void_of
from tracker.finance.queries import voided
from tracker.programs.services import format_dollars

DESCRIPTION_MAX = 200
REFERENCE_MAX = 80
REASON_MIN = 5
VOID_REASON_MIN = 10
REASON_MAX = 300
MAX_INSTALMENTS = 24
PLAN_MAX_YEARS = 5
_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?")
_AMOUNT_HELP = "Enter an amount in dollars, such as 1,250.00."
OWN_LEDGER = "You cannot record anything on your own ledger: ask another staff member."


@dataclass(frozen=True)
class NewEntry:
    """What staff enter for a ledger line; the kind comes from the form used, not the request."""

    kind: str
    amount_cents: int
    description: str
    posted_on: date
    method: str | None = None
    reference: str = ""
    # A payment above the balance owed is recorded only when the recorder confirmed it.
    overpayment_confirmed: bool = False


class Overpayment(Refused):
    """A payment above the balance owed, not (yet) confirmed: `excess_cents` is the difference."""

    def __init__(self, message: str, excess_cents: int) -> None:
        super().__init__(message, "confirm_overpayment")
        self.excess_cents = excess_cents


# -- parsing ----------------------------------------------------------------------------------


def parse_amount(text: str | None, field_name: str = "amount") -> int:
    """Turn dollars text ("1,250.00", "1250.5", "$80") into integer cents, through Decimal.

    Refuses negative, zero, more than two decimal places, and more than $100,000.
    """
    raw = (text or "").strip()
    if not raw:
        raise Refused("Enter an amount.", field_name)
    if len(raw) > 20:
        raise Refused(_AMOUNT_HELP, field_name)
    compact = raw.removeprefix("$").strip()
    if compact.startswith("-"):
        raise Refused(
            "Enter the amount without a minus sign: the kind of entry gives its sign.", field_name
        )
    match = _AMOUNT.fullmatch(compact)
    if not match:
        raise Refused(_AMOUNT_HELP, field_name)
    decimals = match.group(2)
    if decimals is not None and len(decimals) > 2:
        raise Refused("Use at most two decimal places (cents).", field_name)
    if decimals == "":
        raise Refused(_AMOUNT_HELP, field_name)
    if len(match.group(1).replace(",", "")) > 9:
        raise Refused("Enter at most $100,000.00.", field_name)
    try:
        value = Decimal(compact.replace(",", ""))
    except InvalidOperation:
        raise Refused(_AMOUNT_HELP, field_name) from None
    return _amount(field_name, int((value * 100).to_integral_exact()))


def _amount(field_name: str, cents: int) -> int:
    if not isinstance(cents, int) or isinstance(cents, bool) or cents <= 0:
        raise Refused("Enter an amount above zero.", field_name)
    if cents > MAX_AMOUNT_CENTS:
        raise Refused("Enter at most $100,000.00.", field_name)
    return cents


def _past_date(field_name: str, value: date | None, today: date) -> date:
    if value is None:
        raise Refused("Enter a date.", field_name)
    if value > today:
        raise Refused("The date cannot be in the future.", field_name)
    if value < EARLIEST_DATE:
        raise Refused("The date is too far in the past.", field_name)
    return value


# -- reading totals inside the transaction ----------------------------------------------------


def _lock_enrollment(enrollment_id: int, actor: User) -> Enrollment:
    """The enrollment, with its row locked until the transaction ends (PostgreSQL); refused
    when it is the actor's own (staff who are also trainees keep out of their own ledger)."""
    stmt = select(Enrollment).where(Enrollment.id == enrollment_id).with_for_update()
    enrollment = db.session.scalar(stmt)
    if enrollment is None:
        raise Refused("This enrollment does not exist.")
    not_own(actor.id, enrollment.trainee_id, OWN_LEDGER)
    return enrollment


def _totals(enrollment_id: int) -> dict[str, int]:
    """The enrollment's total per kind, each net of its voids."""
    rows = db.session.execute(
        select(LedgerEntry.kind, func.coalesce(func.sum(net_amount()), 0))
        .where(LedgerEntry.enrollment_id == enrollment_id)
        .group_by(LedgerEntry.kind)
    ).all()
    totals = dict.fromkeys(ENTRY_KINDS, 0)
    totals.update({kind: int(total) for kind, total in rows})
    return totals


def _credits(totals: dict[str, int]) -> int:
    return totals[PAYMENT] + totals[SCHOLARSHIP] + totals[DISCOUNT] - totals[REFUND]


def _balance(totals: dict[str, int]) -> int:
    return totals[CHARGE] - _credits(totals)


def _append(enrollment: Enrollment, entry: LedgerEntry, actor: User) -> LedgerEntry:
    added("ledger.entry_added", entry, actor_id=actor.id, subject_user_id=enrollment.trainee_id)
    return entry


# -- entries ----------------------------------------------------------------------------------


def record_entry(enrollment_id: int, new: NewEntry, actor: User) -> LedgerEntry:
    """Append a charge, payment, scholarship, discount or refund to the enrollment's ledger.

    A refund may not exceed payments less earlier refunds; a scholarship or discount may not
    exceed the balance owed (neither is refundable). Both are checked on totals re-read after
    locking the enrollment.
    """
    if new.kind not in ENTRY_KINDS:
        raise Refused("Unknown kind of ledger entry.")
    amount = _amount("amount", new.amount_cents)
    description = one_line("description", new.description, DESCRIPTION_MAX, required=True)
    reference = one_line("reference", new.reference, REFERENCE_MAX, required=False)
    method = None
    if new.kind in MONEY_KINDS:
        if new.method not in PAYMENT_METHODS:
            raise Refused("Choose how the money moved.", "method")
        method = new.method
    else:
        reference = ""
    enrollment = _lock_enrollment(enrollment_id, actor)
    posted_on = _past_date("posted_on", new.posted_on, today_in(enrollment.program.timezone))
    if new.kind == PAYMENT and reference:
        _reference_unused(enrollment.id, reference)
    totals = _totals(enrollment.id)
    if new.kind == PAYMENT and not new.overpayment_confirmed:
        _within_balance(amount, _balance(totals))
    if new.kind == REFUND:
        refundable = totals[PAYMENT] - totals[REFUND]
        if amount > refundable:
            raise Refused(
                "A refund cannot exceed what was paid less earlier refunds "
                f"({format_dollars(max(refundable, 0))} can be refunded).",
                "amount",
            )
    if new.kind in (SCHOLARSHIP, DISCOUNT):
        owed = _balance(totals)
        if amount > owed:
            raise Refused(
                f"A {new.kind} cannot exceed the balance owed ({format_dollars(max(owed, 0))}); "
                "charge the tuition first.",
                "amount",
            )
    entry = LedgerEntry(
        enrollment_id=enrollment.id,
        kind=new.kind,
        amount_cents=amount,
        description=description,
        method=method,
        reference=reference,
        posted_on=posted_on,
        recorded_by_id=actor.id,
    )
    return _append(enrollment, entry, actor)


def _reference_unused(enrollment_id: int, reference: str) -> None:
    """Refuse a payment reference already given to a live payment of the enrollment (a voided
    payment's reference is free again, for the payment re-entered correctly)."""
    earlier = db.session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.enrollment_id == enrollment_id)
        .where(LedgerEntry.kind == PAYMENT)
        .where(LedgerEntry.voids_id.is_(None))
        .where(func.lower(LedgerEntry.reference) == reference.lower())
        .where(~voided(LedgerEntry))
        .order_by(LedgerEntry.id)
        .limit(1)
    )
    if earlier is not None:
        raise Refused(
            f"The reference “{reference}” is already on this ledger: payment no. {earlier.id} of "
            f"{format_dollars(earlier.amount_cents)} on {earlier.posted_on.isoformat()}. If this "
            "is the same payment, it is recorded already; if it is another, enter its own "
            "reference.",
            "reference",
        )


def _within_balance(amount: int, owed: int) -> None:
    """Refuse, until confirmed, a payment above the balance owed (the difference would be a
    credit to the trainee: most often a mistyped amount)."""
    if amount <= owed:
        return
    excess = amount - max(owed, 0)
    owed_text = f"the balance owed ({format_dollars(owed)})" if owed > 0 else "the balance owed"
    nothing = " (nothing is owed now)" if owed <= 0 else ""
    raise Overpayment(
        f"This payment of {format_dollars(amount)} is {format_dollars(excess)} more than "
        f"{owed_text}{nothing}; the difference would be a credit to the trainee. Check the "
        "amount: if it is right, tick the box to confirm and save again.",
        excess,
    )


def tuition_charged(enrollment_id: int) -> bool:
    """True when the enrollment's ledger holds a tuition charge that is not void."""
    stmt = select(
        exists()
        .where(LedgerEntry.enrollment_id == enrollment_id)
        .where(LedgerEntry.tuition.is_(True))
        .where(LedgerEntry.voids_id.is_(None))
        .where(~voided(LedgerEntry))
    )
    return bool(db.session.scalar(stmt))


def charge_tuition(
    enrollment_id: int, actor: User, *, again: bool = False, reason: str = ""
) -> LedgerEntry:
    """Charge the track's tuition, dated today in the program's time zone.

    Once only: a second tuition charge needs `again` and a written reason.
    """
    enrollment = _lock_enrollment(enrollment_id, actor)
    track = enrollment.track
    if track is None:
        raise Refused("No track is chosen yet: the tuition comes from the track.")
    if track.tuition_cents <= 0:
        raise Refused("This track has no tuition to charge.")
    reason = one_line("reason", reason, REASON_MAX, required=False) if again else ""
    if tuition_charged(enrollment.id):
        if not again:
            raise Refused(
                "The tuition is already charged. To charge it a second time, tick "
                "“charge again” and give the reason.",
                "again",
            )
        if len(reason) < REASON_MIN:
            raise Refused("Give the reason for charging the tuition again.", "reason")
    entry = LedgerEntry(
        enrollment_id=enrollment.id,
        kind=CHARGE,
        amount_cents=track.tuition_cents,
        description=f"Tuition: {track.name}"[:DESCRIPTION_MAX],
        tuition=True,
        reason=reason,
        posted_on=today_in(enrollment.program.timezone),
        recorded_by_id=actor.id,
    )
    return _append(enrollment, entry, actor)


# -- voids ------------------------------------------------------------------------------------


def void_entry(enrollment_id: int, entry_id: int, reason: str, actor: User) -> LedgerEntry:
    """Void an entry of the enrollment's ledger: append a void, an entry of the same kind and
    amount that names it and takes its effect back, dated today in the program's time zone,
    with the reason (at least VOID_REASON_MIN characters) and the staff member who voided it.

    A void of a payment or a refund re-opens what it paid (the balance, the plan's instalments,
    what can be refunded). Refused: an entry of another ledger, a void, an entry already void,
    and a payment whose void would leave more refunded than paid (void the refund first).
    """
    reason = one_line("reason", reason, REASON_MAX, required=True)
    if len(reason) < VOID_REASON_MIN:
        raise Refused(
            f"Give the reason in at least {VOID_REASON_MIN} characters: it stays on the ledger.",
            "reason",
        )
    enrollment = _lock_enrollment(enrollment_id, actor)
    entry = db.session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.id == entry_id)
        .where(LedgerEntry.enrollment_id == enrollment.id)
    )
    if entry is None:
        raise Refused("This entry is not on this ledger.")
    if entry.is_void:
        raise Refused(f"Entry no. {entry.id} is a void: a void cannot be voided.")
    earlier = void_of(entry.id)
    if earlier is not None:
        raise Refused(
            f"Entry no. {entry.id} is already void (entry no. {earlier.id}, "
            f"{earlier.posted_on.isoformat()}): nothing was changed."
        )
    if entry.kind == PAYMENT:
        totals = _totals(enrollment.id)
        left = totals[PAYMENT] - entry.amount_cents
        if left < totals[REFUND]:
            raise Refused(
                f"Voiding this payment would leave {format_dollars(totals[REFUND])} refunded "
                f"against {format_dollars(max(left, 0))} paid: void the refund first."
            )
    void = LedgerEntry(
        enrollment_id=enrollment.id,
        kind=entry.kind,
        amount_cents=entry.amount_cents,
        description=f"Void of entry no. {entry.id}: {entry.description}"[:DESCRIPTION_MAX],
        method=entry.method,
        reference="",
        tuition=entry.tuition,
        reason=reason,
        posted_on=today_in(enrollment.program.timezone),
        recorded_by_id=actor.id,
        voids_id=entry.id,
    )
    added("ledger.entry_voided", void, actor_id=actor.id, subject_user_id=enrollment.trainee_id)
    return void


# -- payment plans ----------------------------------------------------------------------------


def _active_plan(enrollment_id: int) -> PaymentPlan | None:
    return db.session.scalar(
        select(PaymentPlan)
        .where(PaymentPlan.enrollment_id == enrollment_id)
        .where(PaymentPlan.active.is_(True))
    )


def _end(plan: PaymentPlan, enrollment: Enrollment, action: str, actor: User) -> None:
    changed(
        action,
        plan,
        {"active": False, "ended_at": utcnow()},
        actor_id=actor.id,
        subject_user_id=enrollment.trainee_id,
    )


def _clean_instalments(
    instalments: Sequence[tuple[date | None, int]], today: date
) -> list[tuple[date, int]]:
    if not instalments:
        raise Refused("Enter at least one instalment.", "instalments")
    if len(instalments) > MAX_INSTALMENTS:
        raise Refused(f"Use at most {MAX_INSTALMENTS} instalments.", "instalments")
    latest = today + timedelta(days=366 * PLAN_MAX_YEARS)
    seen: set[date] = set()
    clean = []
    for number, (due_on, cents) in enumerate(instalments, start=1):
        if due_on is None:
            raise Refused(f"Instalment {number}: enter its due date.", "instalments")
        if due_on < today:
            raise Refused(f"Instalment {number}: the due date is in the past.", "instalments")
        if due_on > latest:
            raise Refused(
                f"Instalment {number}: the due date is more than {PLAN_MAX_YEARS} years ahead.",
                "instalments",
            )
        if due_on in seen:
            raise Refused(f"Instalment {number}: two instalments share a date.", "instalments")
        seen.add(due_on)
        try:
            _amount("instalments", cents)
        except Refused as error:
            raise Refused(f"Instalment {number}: {error.message}", "instalments") from None
        clean.append((due_on, cents))
    return sorted(clean)


def create_plan(
    enrollment_id: int, instalments: Sequence[tuple[date | None, int]], actor: User
) -> PaymentPlan:
    """Agree instalments (due date, cents) that add up exactly to the balance outstanding now.

    An active plan is replaced (ended, and kept as history).
    """
    enrollment = _lock_enrollment(enrollment_id, actor)
    clean = _clean_instalments(instalments, today_in(enrollment.program.timezone))
    totals = _totals(enrollment.id)
    balance = _balance(totals)
    if balance <= 0:
        raise Refused("Nothing is owed, so there is nothing to plan.", "instalments")
    total = sum(cents for _, cents in clean)
    if total != balance:
        raise Refused(
            f"The instalments add up to {format_dollars(total)} but the balance outstanding is "
            f"{format_dollars(balance)}: they must be equal.",
            "instalments",
        )
    old = _active_plan(enrollment.id)
    if old is not None:
        _end(old, enrollment, "ledger.plan_replaced", actor)
    plan = PaymentPlan(
        enrollment_id=enrollment.id,
        created_by_id=actor.id,
        active=True,
        opening_credits_cents=_credits(totals),
        instalments=[Instalment(due_on=d, amount_cents=c) for d, c in clean],
    )
    added("ledger.plan_created", plan, actor_id=actor.id, subject_user_id=enrollment.trainee_id)
    return plan


def end_plan(enrollment_id: int, actor: User) -> PaymentPlan:
    """End the enrollment's active payment plan (it stays on file)."""
    enrollment = _lock_enrollment(enrollment_id, actor)
    plan = _active_plan(enrollment.id)
    if plan is None:
        raise Refused("There is no active payment plan.")
    _end(plan, enrollment, "ledger.plan_ended", actor)
    return plan
