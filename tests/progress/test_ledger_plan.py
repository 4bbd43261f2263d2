"""The engine's payment-plan rule: what is owed now (the balance, net of voids) is owed on the
plan's last instalments; the rest covers them in due-date order. One case per rule."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.progress import facts
from tracker.progress import ledger

JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))
PLAN = [(JAN, 100_000), (FEB, 100_000), (MAR, 100_000), (APR, 100_000)]


def _covered(plan, balance):
    return [i.covered_cents for i in ledger.plan_instalments(plan, balance)]


@pytest.mark.parametrize(
    ("case", "balance", "covered"),
    [
        ("nothing paid since the plan", 400_000, [0, 0, 0, 0]),
        ("three instalments paid", 100_000, [100_000, 100_000, 100_000, 0]),
        ("part of the second", 250_000, [100_000, 50_000, 0, 0]),
        ("paid in full", 0, [100_000] * 4),
        ("in credit (an overpayment)", -9_900_000, [100_000] * 4),
        # A $99,999 payment and a $99,999 fee: $1,000 still owed, so not every instalment is paid.
        ("a charge posted since the plan", 100_000, [100_000, 100_000, 100_000, 0]),
        ("more owed than the plan", 900_000, [0, 0, 0, 0]),
    ],
)
def test_what_is_owed_sits_on_the_last_instalments(case, balance, covered):
    assert _covered(PLAN, balance) == covered, case


def test_instalments_are_taken_in_due_date_order():
    shuffled = [PLAN[2], PLAN[0], PLAN[3], PLAN[1]]
    assert [i.due_on for i in ledger.plan_instalments(shuffled, 300_000)] == [JAN, FEB, MAR, APR]
    assert _covered(shuffled, 300_000) == [100_000, 0, 0, 0]


def test_no_plan_no_instalments():
    assert ledger.plan_instalments([], 50_000) == ()


@pytest.mark.parametrize(
    ("covered", "today", "status", "overdue"),
    [
        (100_000, date(2026, 3, 1), ledger.PAID, False),
        (0, date(2026, 2, 1), ledger.DUE, False),  # due today: not yet overdue
        (0, date(2026, 2, 2), ledger.OVERDUE, True),  # the day after
        (99_999, date(2026, 5, 1), ledger.OVERDUE, True),  # one cent short is still overdue
        (0, None, ledger.DUE, False),  # without a today, never overdue
    ],
)
def test_status_of_one_instalment(covered, today, status, overdue):
    instalment = facts.Instalment(FEB, 100_000, covered)
    assert ledger.status(instalment, today) == status
    assert ledger.is_overdue(instalment, today) is overdue


def test_counts():
    instalments = ledger.plan_instalments(PLAN, 150_000)
    assert ledger.owed_count(instalments) == 2
    assert ledger.overdue_count(instalments, date(2026, 3, 15)) == 1
    assert ledger.overdue_count(instalments, date(2026, 4, 15)) == 2
    assert ledger.overdue_count(instalments, None) == 0


def test_cover_takes_from_a_pool_in_order():
    assert ledger.cover([100, 200, 300], 250) == [100, 150, 0]
    assert ledger.cover([100, 200], -5) == [0, 0]
