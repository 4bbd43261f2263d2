"""Named reads of the ledger: entries with a running balance, summaries (also in bulk, for the
progress engine) and the enrollments that owe money."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User
from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.finance.models import CHARGE
from tracker.finance.models import DISCOUNT
from tracker.finance.models import ENTRY_KINDS
from tracker.finance.models import PAYMENT
from tracker.finance.models import REFUND
from tracker.finance.models import SCHOLARSHIP
from tracker.finance.models import Instalment
from tracker.finance.models import LedgerEntry
from tracker.finance.models import PaymentPlan
from tracker.programs.models import Program
from tracker.progress import facts


class InstalmentStatus(NamedTuple):
    """One instalment of the active plan, how much of it is covered, and whether it is overdue."""

    due_on: date
    amount_cents: int
    covered_cents: int
    overdue: bool

    @property
    def outstanding_cents(self) -> int:
        """The part not yet covered."""
        return self.amount_cents - self.covered_cents

    @property
    def status(self) -> str:
        """ "paid", "OVERDUE" or "due", as the ledger pages show it."""
        if self.covered_cents >= self.amount_cents:
            return "paid"
        return "OVERDUE" if self.overdue else "due"


@dataclass(frozen=True)
class LedgerSummary:
    """An enrollment's ledger totals in cents and its active plan's instalments.

    credits = payments + scholarships + discounts - refunds; balance = charges - credits
    (negative when the trainee is in credit); paid and refunded are the gross money movements.
    """

    charges_cents: int = 0
    credits_cents: int = 0
    paid_cents: int = 0
    refunded_cents: int = 0
    balance_cents: int = 0
    instalments: list[InstalmentStatus] = field(default_factory=list)

    @property
    def refundable_cents(self) -> int:
        """What may still be refunded: payments less refunds."""
        return max(0, self.paid_cents - self.refunded_cents)

    @property
    def overdue_count(self) -> int:
        """How many instalments are overdue."""
        return sum(1 for i in self.instalments if i.overdue)

    @property
    def has_plan(self) -> bool:
        """True when an active payment plan exists."""
        return bool(self.instalments)

    def as_ledger(self) -> facts.Ledger:
        """The progress engine's view of the same totals."""
        return facts.Ledger(
            charges_cents=self.charges_cents,
            credits_cents=self.credits_cents,
            instalments=tuple(
                facts.Instalment(i.due_on, i.amount_cents, i.covered_cents)
                for i in self.instalments
            ),
        )


def allocate(amounts: Sequence[int], pool_cents: int) -> list[int]:
    """Cover instalment amounts (in due-date order) from a pool of credits; return each cover."""
    left = max(0, pool_cents)
    covered = []
    for amount in amounts:
        part = min(amount, left)
        covered.append(part)
        left -= part
    return covered


EnrollmentIds = Iterable[int] | Select
"""Enrollment ids as a collection, or as a subquery selecting them (the progress loader's way)."""


def ledger_summaries(
    enrollment_ids: EnrollmentIds, today: date | None = None
) -> dict[int, LedgerSummary]:
    """Summaries of many enrollments in a constant number of queries (three at most).

    Overdue is judged against `today`, or else each enrollment's program-local today. Given a
    collection, every id gets a summary (an empty one when the ledger is empty or the id is
    unknown); given a subquery, the enrollments with ledger entries or a plan do.
    """
    if isinstance(enrollment_ids, Select):
        ids: list[int] = []
        wanted = enrollment_ids
    else:
        ids = sorted({int(i) for i in enrollment_ids})
        if not ids:
            return {}
        wanted = ids
    totals: dict[int, dict[str, int]] = {i: dict.fromkeys(ENTRY_KINDS, 0) for i in ids}
    rows = db.session.execute(
        select(LedgerEntry.enrollment_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_cents))
        .where(LedgerEntry.enrollment_id.in_(wanted))
        .group_by(LedgerEntry.enrollment_id, LedgerEntry.kind)
    ).all()
    for enrollment_id, kind, total in rows:
        totals.setdefault(enrollment_id, dict.fromkeys(ENTRY_KINDS, 0))[kind] = int(total or 0)
    plans: dict[int, tuple[int, list[tuple[date, int]]]] = {}
    plan_rows = db.session.execute(
        select(
            PaymentPlan.enrollment_id,
            PaymentPlan.opening_credits_cents,
            Instalment.due_on,
            Instalment.amount_cents,
        )
        .join(Instalment, Instalment.plan_id == PaymentPlan.id)
        .where(PaymentPlan.enrollment_id.in_(wanted))
        .where(PaymentPlan.active.is_(True))
        .order_by(PaymentPlan.enrollment_id, Instalment.due_on, Instalment.id)
    ).all()
    for enrollment_id, opening, due_on, amount in plan_rows:
        plans.setdefault(enrollment_id, (opening, []))[1].append((due_on, amount))
        totals.setdefault(enrollment_id, dict.fromkeys(ENTRY_KINDS, 0))
    todays: dict[int, date] = {}
    if today is None and plans:
        zones = db.session.execute(
            select(Enrollment.id, Program.timezone)
            .join(Program, Program.id == Enrollment.program_id)
            .where(Enrollment.id.in_(list(plans)))
        ).all()
        cache: dict[str, date] = {}
        for enrollment_id, zone in zones:
            todays[enrollment_id] = cache.setdefault(zone, today_in(zone))
    return {i: _summary(kinds, plans.get(i), todays.get(i, today)) for i, kinds in totals.items()}


def _summary(
    totals: dict[str, int], plan: tuple[int, list[tuple[date, int]]] | None, today: date | None
) -> LedgerSummary:
    credits = totals[PAYMENT] + totals[SCHOLARSHIP] + totals[DISCOUNT] - totals[REFUND]
    instalments: list[InstalmentStatus] = []
    if plan is not None:
        opening, rows = plan
        covered = allocate([amount for _, amount in rows], credits - opening)
        for (due_on, amount), cover in zip(rows, covered, strict=True):
            overdue = today is not None and due_on < today and cover < amount
            instalments.append(InstalmentStatus(due_on, amount, cover, overdue))
    return LedgerSummary(
        charges_cents=totals[CHARGE],
        credits_cents=credits,
        paid_cents=totals[PAYMENT],
        refunded_cents=totals[REFUND],
        balance_cents=totals[CHARGE] - credits,
        instalments=instalments,
    )


def ledger_summary(enrollment_id: int, today: date | None = None) -> LedgerSummary:
    """One enrollment's ledger summary (see `ledger_summaries`)."""
    return ledger_summaries([enrollment_id], today)[enrollment_id]


def entries_with_balance(enrollment_id: int) -> list[tuple[LedgerEntry, int]]:
    """The ledger's entries, oldest first by posting date, each with the balance after it."""
    entries = db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.enrollment_id == enrollment_id)
        .options(joinedload(LedgerEntry.recorded_by))
        .order_by(LedgerEntry.posted_on, LedgerEntry.id)
    ).all()
    balance = 0
    result = []
    for entry in entries:
        balance += entry.signed_cents
        result.append((entry, balance))
    return result


def active_plan(enrollment_id: int) -> PaymentPlan | None:
    """The enrollment's active payment plan with its instalments, if any."""
    return db.session.scalar(
        select(PaymentPlan)
        .where(PaymentPlan.enrollment_id == enrollment_id)
        .where(PaymentPlan.active.is_(True))
        .options(joinedload(PaymentPlan.instalments), joinedload(PaymentPlan.created_by))
    )


def payment(entry_id: int) -> LedgerEntry | None:
    """A payment entry with its enrollment, trainee and program (for a receipt), or None."""
    return db.session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.id == entry_id)
        .where(LedgerEntry.kind == PAYMENT)
        .options(
            joinedload(LedgerEntry.enrollment).joinedload(Enrollment.trainee),
            joinedload(LedgerEntry.enrollment).joinedload(Enrollment.program),
            joinedload(LedgerEntry.enrollment).joinedload(Enrollment.track),
            joinedload(LedgerEntry.recorded_by),
        )
    )


MAX_LISTED = 500


def ledger_overview(
    search: str = "", owing_only: bool = True
) -> list[tuple[Enrollment, LedgerSummary]]:
    """Enrollments (not declined) with their ledger summaries, newest first, at most MAX_LISTED.

    With `owing_only`, only those with a balance owed or an overdue instalment.
    """
    stmt = (
        select(Enrollment)
        .where(Enrollment.status != "declined")
        .options(
            joinedload(Enrollment.trainee),
            joinedload(Enrollment.program),
            joinedload(Enrollment.track),
        )
        .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        .limit(MAX_LISTED)
    )
    text = search.strip().lower()
    if text:
        stmt = stmt.join(User, User.id == Enrollment.trainee_id).where(
            func.lower(User.full_name).contains(text, autoescape=True)
            | func.lower(User.email).contains(text, autoescape=True)
        )
    enrollments = db.session.scalars(stmt).unique().all()
    summaries = ledger_summaries(e.id for e in enrollments)
    rows = [(e, summaries[e.id]) for e in enrollments]
    if owing_only:
        rows = [(e, s) for e, s in rows if s.balance_cents > 0 or s.overdue_count]
    return rows
