"""Named reads of the ledger: entries with a running balance, summaries (also in bulk, for the
progress engine) and the enrollments that owe money."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import NamedTuple

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlalchemy.orm import joinedload

from tracker.accounts.models import User
from tracker.core.clock import today_in
from tracker.core.listing import chosen_ids
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
from tracker.progress import ledger as plan_rules


class InstalmentStatus(NamedTuple):
    """One instalment of the active plan, how much of it is covered, and whether it is overdue
    (as the engine judges them: `tracker.progress.ledger`)."""

    due_on: date
    amount_cents: int
    covered_cents: int
    overdue: bool
    status: str  # "paid", "OVERDUE" or "due"

    @property
    def outstanding_cents(self) -> int:
        """The part not yet covered."""
        return self.amount_cents - self.covered_cents


@dataclass(frozen=True)
class LedgerSummary:
    """An enrollment's ledger totals in cents, net of voids, and its active plan's instalments.

    credits = payments + scholarships + discounts - refunds; balance = charges - credits
    (negative when the trainee is in credit); paid and refunded are the money moved, each net
    of its voids.
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
    def owed_count(self) -> int:
        """How many instalments are not fully covered."""
        return plan_rules.owed_count(self._facts())

    @property
    def has_plan(self) -> bool:
        """True when an active payment plan exists."""
        return bool(self.instalments)

    def _facts(self) -> tuple[facts.Instalment, ...]:
        return tuple(
            facts.Instalment(i.due_on, i.amount_cents, i.covered_cents) for i in self.instalments
        )

    def as_ledger(self) -> facts.Ledger:
        """The progress engine's view of the same totals."""
        return facts.Ledger(
            charges_cents=self.charges_cents,
            credits_cents=self.credits_cents,
            instalments=self._facts(),
        )


def voided(entry: type[LedgerEntry]) -> ColumnElement[bool]:
    """True for an entry (of the query's `entry`, the model or an alias) that a void names."""
    void = aliased(LedgerEntry)
    return exists().where(void.voids_id == entry.id)


def net_amount() -> ColumnElement[int]:
    """An entry's amount as it counts in its kind's total: a void takes back its original's."""
    return case(
        (LedgerEntry.voids_id.is_(None), LedgerEntry.amount_cents),
        else_=-LedgerEntry.amount_cents,
    )


EnrollmentIds = Iterable[int] | Select
"""Enrollment ids as a collection, or as a subquery selecting them (the progress loader's way)."""


def ledger_reads(wanted: list[int] | Select) -> tuple[Select, Select]:
    """The two statements a summary reads, over enrollment ids or a subquery selecting them:
    each enrollment's totals per entry kind, net of voids, and its active plan's instalments
    (not ordered: `summaries_from` sorts them)."""
    totals = (
        select(LedgerEntry.enrollment_id, LedgerEntry.kind, func.sum(net_amount()))
        .where(LedgerEntry.enrollment_id.in_(wanted))
        .group_by(LedgerEntry.enrollment_id, LedgerEntry.kind)
    )
    instalments = (
        select(PaymentPlan.enrollment_id, Instalment.due_on, Instalment.amount_cents, Instalment.id)
        .join(Instalment, Instalment.plan_id == PaymentPlan.id)
        .where(PaymentPlan.enrollment_id.in_(wanted))
        .where(PaymentPlan.active.is_(True))
    )
    return totals, instalments


def summaries_from(
    total_rows: Iterable[tuple[int, str, int | None]],
    instalment_rows: Iterable[tuple[int, date, int, int]],
    ids: Iterable[int] = (),
    today: date | None = None,
) -> dict[int, LedgerSummary]:
    """The summaries of the rows of `ledger_reads`: one for each of `ids` and for each
    enrollment with entries or a plan. Overdue is judged against `today`, or else each
    enrollment's program-local today (one query, when a plan needs it)."""
    totals: dict[int, dict[str, int]] = {i: dict.fromkeys(ENTRY_KINDS, 0) for i in ids}
    for enrollment_id, kind, total in total_rows:
        totals.setdefault(enrollment_id, dict.fromkeys(ENTRY_KINDS, 0))[kind] = int(total or 0)
    plans: dict[int, list[tuple[date, int]]] = {}
    in_order = sorted(instalment_rows, key=lambda row: (row[0], row[1], row[3]))
    for enrollment_id, due_on, amount, _instalment_id in in_order:
        plans.setdefault(enrollment_id, []).append((due_on, amount))
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


def ledger_summaries(
    enrollment_ids: EnrollmentIds, today: date | None = None
) -> dict[int, LedgerSummary]:
    """Summaries of many enrollments in a constant number of queries (three at most).

    Overdue is judged against `today`, or else each enrollment's program-local today. Given a
    collection, every id gets a summary (an empty one when the ledger is empty or the id is
    unknown); given a subquery, the enrollments with ledger entries or a plan do.
    """
    ids, wanted = chosen_ids(enrollment_ids)
    if not isinstance(wanted, Select) and not ids:
        return {}
    totals, instalments = ledger_reads(wanted)
    return summaries_from(
        db.session.execute(totals).all(), db.session.execute(instalments).all(), ids, today
    )


def _summary(
    totals: dict[str, int], plan: list[tuple[date, int]] | None, today: date | None
) -> LedgerSummary:
    credits = totals[PAYMENT] + totals[SCHOLARSHIP] + totals[DISCOUNT] - totals[REFUND]
    balance = totals[CHARGE] - credits
    instalments = [
        InstalmentStatus(
            i.due_on,
            i.amount_cents,
            i.covered_cents,
            plan_rules.is_overdue(i, today),
            plan_rules.status(i, today),
        )
        for i in plan_rules.plan_instalments(plan or (), balance)
    ]
    return LedgerSummary(
        charges_cents=totals[CHARGE],
        credits_cents=credits,
        paid_cents=totals[PAYMENT],
        refunded_cents=totals[REFUND],
        balance_cents=balance,
        instalments=instalments,
    )


def ledger_summary(enrollment_id: int, today: date | None = None) -> LedgerSummary:
    """One enrollment's ledger summary (see `ledger_summaries`)."""
    return ledger_summaries([enrollment_id], today)[enrollment_id]


class LedgerLine(NamedTuple):
    """An entry of the ledger as its history shows it: the balance after it, and the void that
    took it back (None unless it is void)."""

    entry: LedgerEntry
    balance_cents: int
    voided_by: LedgerEntry | None


def ledger_lines(enrollment_id: int) -> list[LedgerLine]:
    """The ledger's entries, oldest first by posting date, each with the balance after it and
    its void, in one query."""
    entries = db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.enrollment_id == enrollment_id)
        .options(joinedload(LedgerEntry.recorded_by))
        .order_by(LedgerEntry.posted_on, LedgerEntry.id)
    ).all()
    voids = {entry.voids_id: entry for entry in entries if entry.voids_id is not None}
    balance = 0
    result = []
    for entry in entries:
        balance += entry.signed_cents
        result.append(LedgerLine(entry, balance, voids.get(entry.id)))
    return result


def entry_on_ledger(enrollment_id: int, entry_id: int) -> LedgerEntry | None:
    """The entry `entry_id` when it is on the enrollment's ledger, with who recorded it."""
    return db.session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.id == entry_id)
        .where(LedgerEntry.enrollment_id == enrollment_id)
        .options(joinedload(LedgerEntry.recorded_by))
    )


def void_of(entry_id: int) -> LedgerEntry | None:
    """The void that takes back the entry `entry_id` (with who recorded it), if it is void."""
    return db.session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.voids_id == entry_id)
        .options(joinedload(LedgerEntry.recorded_by))
    )


def active_plan(enrollment_id: int) -> PaymentPlan | None:
    """The enrollment's active payment plan with its instalments, if any."""
    return db.session.scalar(
        select(PaymentPlan)
        .where(PaymentPlan.enrollment_id == enrollment_id)
        .where(PaymentPlan.active.is_(True))
        .options(joinedload(PaymentPlan.instalments), joinedload(PaymentPlan.created_by))
    )


def payment(entry_id: int) -> LedgerEntry | None:
    """A payment entry (not a void) with its enrollment, trainee and program (for a receipt),
    or None."""
    return db.session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.id == entry_id)
        .where(LedgerEntry.kind == PAYMENT)
        .where(LedgerEntry.voids_id.is_(None))
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
