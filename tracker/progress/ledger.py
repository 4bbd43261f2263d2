"""A payment plan as the engine judges it: which instalments the money covers, and the status of
each. The ledger pages and the financing step read the same answer from here.

A plan is agreed for the balance outstanding on the day it is made (its total). What is still
owed on it is what the balance says now, net of every void: the credits posted since (payments,
scholarships and discounts, less refunds) less any charge posted since. That amount is owed on
the plan's last instalments, so the money covers the instalments in due-date order: an
instalment never reads "paid" while the balance says its money is still owed.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from datetime import date

from tracker.progress.facts import Instalment

PAID = "paid"
DUE = "due"
OVERDUE = "OVERDUE"


def cover(amounts: Sequence[int], pool_cents: int) -> list[int]:
    """Cover `amounts` (in due-date order) from a pool of money; return what covers each."""
    left = max(0, pool_cents)
    covered = []
    for amount in amounts:
        part = min(amount, left)
        covered.append(part)
        left -= part
    return covered


def plan_instalments(
    instalments: Iterable[tuple[date, int]], balance_cents: int
) -> tuple[Instalment, ...]:
    """The plan's instalments (due date, cents), in due-date order, each with what covers it.

    The first (plan total - balance owed now) cents are covered; a balance in credit or nil
    covers every instalment, a balance above the plan's total none.
    """
    rows = sorted(instalments)
    total = sum(amount for _, amount in rows)
    owed_on_plan = min(total, max(0, balance_cents))
    covered = cover([amount for _, amount in rows], total - owed_on_plan)
    return tuple(
        Instalment(due_on, amount, part)
        for (due_on, amount), part in zip(rows, covered, strict=True)
    )


def is_overdue(instalment: Instalment, today: date | None) -> bool:
    """Overdue from the day after its due date while part of it is uncovered (never without
    a `today`)."""
    return today is not None and instalment.due_on < today and instalment.outstanding_cents > 0


def status(instalment: Instalment, today: date | None) -> str:
    """PAID, OVERDUE or DUE."""
    if instalment.outstanding_cents == 0:
        return PAID
    return OVERDUE if is_overdue(instalment, today) else DUE


def owed_count(instalments: Iterable[Instalment]) -> int:
    """How many instalments are not fully covered."""
    return sum(1 for i in instalments if i.outstanding_cents > 0)


def overdue_count(instalments: Iterable[Instalment], today: date | None) -> int:
    """How many instalments are overdue on `today`."""
    return sum(1 for i in instalments if is_overdue(i, today))
