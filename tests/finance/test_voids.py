"""Voids: a mistake on the ledger is taken back by a new entry that names it, with a reason and
the staff member; the original stays, and every total, the plan and the refundable amount are
net of the void. The database itself refuses a second void and a void that does not match."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.finance.factories import count
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.audit.reconcile import reconcile
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.finance import services
from tracker.finance.models import Instalment
from tracker.finance.models import LedgerEntry
from tracker.finance.models import PaymentPlan
from tracker.finance.queries import ledger_summary
from tracker.finance.services import NewEntry

REASON = "Typed $99,999 instead of $999 on the card payment."


def _entry(enrollment, staff, kind, cents, **extra):
    method = "card" if kind in ("payment", "refund") else None
    new = NewEntry(kind, cents, f"A {kind}", local_today(), method, **extra)
    entry = services.record_entry(enrollment.id, new, staff)
    db.session.commit()
    return entry


def _void(enrollment, entry, staff, reason=REASON):
    void = services.void_entry(enrollment.id, entry.id, reason, staff)
    db.session.commit()
    return void


@pytest.fixture
def charged(enrollment, staff):
    """The enrollment with its tuition of $4,500.00 charged."""
    services.charge_tuition(enrollment.id, staff)
    db.session.commit()
    return enrollment


def test_a_void_takes_a_payment_back(charged, staff):
    payment = _entry(charged, staff, "payment", 100_000, reference="AUTH 1")
    void = _void(charged, payment, staff)
    assert (void.kind, void.amount_cents, void.voids_id, void.reason, void.recorded_by_id) == (
        "payment",
        100_000,
        payment.id,
        REASON,
        staff.id,
    )
    assert void.posted_on == local_today()
    assert void.signed_cents == 100_000  # raises the balance again
    assert void.kind_label == "Void of payment"
    summary = ledger_summary(charged.id)
    assert (summary.paid_cents, summary.balance_cents, summary.credits_cents) == (0, 450_000, 0)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.entry_voided"))
    assert event.object_id == str(void.id)
    assert event.subject_user_id == charged.trainee_id
    assert event.actor_id == staff.id
    after = json.loads(event.after)
    assert (after["voids_id"], after["reason"]) == (payment.id, REASON)


@pytest.mark.parametrize(
    ("kind", "cents", "balance_after"),
    [
        ("charge", 5_000, 450_000),  # a fee voided: the balance comes down again
        ("scholarship", 50_000, 450_000),
        ("discount", 10_000, 450_000),
    ],
)
def test_every_kind_can_be_voided(charged, staff, kind, cents, balance_after):
    entry = _entry(charged, staff, kind, cents)
    _void(charged, entry, staff)
    assert ledger_summary(charged.id).balance_cents == balance_after


def test_a_void_of_a_refund_makes_it_refundable_again(charged, staff):
    _entry(charged, staff, "payment", 100_000)
    refund = _entry(charged, staff, "refund", 100_000)
    assert ledger_summary(charged.id).refundable_cents == 0
    _void(charged, refund, staff, "Refund entered but the transfer was never sent.")
    summary = ledger_summary(charged.id)
    assert (summary.refunded_cents, summary.refundable_cents, summary.balance_cents) == (
        0,
        100_000,
        350_000,
    )


def test_a_payment_with_its_refund_needs_the_refund_voided_first(charged, staff):
    payment = _entry(charged, staff, "payment", 100_000)
    refund = _entry(charged, staff, "refund", 60_000)
    with pytest.raises(Refused, match="void the refund first"):
        services.void_entry(charged.id, payment.id, REASON, staff)
    db.session.rollback()
    _void(charged, refund, staff, "The refund was a duplicate of the bank's.")
    _void(charged, payment, staff)
    assert ledger_summary(charged.id).balance_cents == 450_000


def test_a_voided_tuition_charge_can_be_charged_again_without_a_reason(charged, staff):
    tuition = db.session.scalar(select(LedgerEntry).where(LedgerEntry.tuition.is_(True)))
    void = _void(charged, tuition, staff, "Charged to the wrong enrollment of the trainee.")
    assert void.tuition and void.kind_label == "Void of tuition charge"
    assert not services.tuition_charged(charged.id)
    services.charge_tuition(charged.id, staff)
    db.session.commit()
    assert ledger_summary(charged.id).charges_cents == 450_000


@pytest.mark.parametrize("reason", ["", "   ", "Mistake.", "123456789"])
def test_a_void_needs_a_reason_of_ten_characters(charged, staff, reason):
    payment = _entry(charged, staff, "payment", 100_000)
    with pytest.raises(Refused) as refused:
        services.void_entry(charged.id, payment.id, reason, staff)
    assert refused.value.field == "reason"
    db.session.rollback()
    assert count(LedgerEntry) == 2


def test_an_entry_is_voided_once(charged, staff):
    payment = _entry(charged, staff, "payment", 100_000)
    void = _void(charged, payment, staff)
    with pytest.raises(Refused, match=f"already void \\(entry no. {void.id}"):
        services.void_entry(charged.id, payment.id, REASON, staff)
    db.session.rollback()
    with pytest.raises(Refused, match="a void cannot be voided"):
        services.void_entry(charged.id, void.id, REASON, staff)
    db.session.rollback()
    assert count(LedgerEntry) == 3


def test_an_entry_of_another_ledger_is_refused(charged, staff, create_user):
    other = make_enrollment(create_user("trainee"))
    payment = _entry(charged, staff, "payment", 100_000)
    with pytest.raises(Refused, match="not on this ledger"):
        services.void_entry(other.id, payment.id, REASON, staff)
    db.session.rollback()
    assert count(LedgerEntry) == 2


def test_nobody_voids_on_their_own_ledger(app, create_user, staff):
    staff_trainee = create_user("staff", "trainee")
    own = make_enrollment(staff_trainee)
    services.charge_tuition(own.id, staff)
    db.session.commit()
    tuition = db.session.scalar(select(LedgerEntry))
    with pytest.raises(Refused, match="your own ledger"):
        services.void_entry(own.id, tuition.id, REASON, staff_trainee)
    db.session.rollback()


def _raw_void(original, **changes):
    values = {
        "enrollment_id": original.enrollment_id,
        "kind": original.kind,
        "amount_cents": original.amount_cents,
        "method": original.method,
        "voids_id": original.id,
    }
    values.update(changes)
    db.session.execute(
        text(
            "INSERT INTO ledger_entries (enrollment_id, kind, amount_cents, description, method,"
            " reference, tuition, reason, posted_on, created_at, voids_id) VALUES (:enrollment_id,"
            " :kind, :amount_cents, 'raw', :method, '', false, 'raw void', :on, :on, :voids_id)"
        ),
        {**values, "on": local_today()},
    )
    db.session.flush()


def test_the_database_voids_an_entry_once_only(charged, staff):
    payment = _entry(charged, staff, "payment", 100_000)
    _void(charged, payment, staff)
    with pytest.raises(DatabaseError):
        _raw_void(payment)
    db.session.rollback()


@pytest.mark.parametrize(
    "changes",
    [{"amount_cents": 99}, {"kind": "charge", "method": None}, {"voids_id": "self"}],
    ids=["another amount", "another kind", "a void of a void"],
)
def test_the_database_refuses_a_void_that_does_not_match(charged, staff, changes):
    payment = _entry(charged, staff, "payment", 100_000)
    original = payment
    if changes.get("voids_id") == "self":
        original = _void(charged, payment, staff)
        changes = {}
    with pytest.raises(DatabaseError, match="a void must match a live entry"):
        _raw_void(original, **changes)
    db.session.rollback()


def test_the_database_refuses_a_void_on_another_enrollment(charged, staff, create_user):
    other = make_enrollment(create_user("trainee"))
    payment = _entry(charged, staff, "payment", 100_000)
    with pytest.raises(DatabaseError, match="a void must match a live entry"):
        _raw_void(payment, enrollment_id=other.id)
    db.session.rollback()


def test_voids_keep_the_entries_append_only(charged, staff):
    payment = _entry(charged, staff, "payment", 100_000)
    _void(charged, payment, staff)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE ledger_entries SET voids_id = NULL"))
        db.session.flush()
    db.session.rollback()


def _plan_of_four(enrollment, staff):
    """A $500 deposit, then a plan of four $1,000 instalments, three of them due already."""
    today = local_today()
    _entry(enrollment, staff, "payment", 50_000, reference="DEPOSIT")
    plan = PaymentPlan(
        enrollment_id=enrollment.id,
        created_by_id=staff.id,
        opening_credits_cents=50_000,
        instalments=[
            Instalment(due_on=today + timedelta(days=days), amount_cents=100_000)
            for days in (-90, -60, -30, 30)
        ],
    )
    db.session.add(plan)
    db.session.commit()
    for n in range(3):
        _entry(enrollment, staff, "payment", 100_000, reference=f"AUTH {n}")


def test_the_mistyped_payment_voided_puts_the_plan_right(charged, staff):
    """The issue's story: $99,999.00 typed for $999.00, accepted only once confirmed, voided."""
    _plan_of_four(charged, staff)
    assert ledger_summary(charged.id).owed_count == 1
    with pytest.raises(services.Overpayment) as asked:
        _entry(charged, staff, "payment", 9_999_900, reference="AUTH 3")
    assert asked.value.excess_cents == 9_999_900 - 100_000
    db.session.rollback()
    assert count(LedgerEntry) == 5  # nothing stored before the confirmation
    typo = _entry(
        charged, staff, "payment", 9_999_900, reference="AUTH 3", overpayment_confirmed=True
    )
    summary = ledger_summary(charged.id)
    assert (summary.owed_count, summary.balance_cents) == (0, -9_899_900)
    _void(charged, typo, staff)
    summary = ledger_summary(charged.id, today=local_today())
    assert (summary.paid_cents, summary.balance_cents) == (350_000, 100_000)
    assert [i.status for i in summary.instalments] == ["paid", "paid", "paid", "due"]
    assert summary.owed_count == 1
    # The right payment, with the voided one's reference, is accepted.
    _entry(charged, staff, "payment", 99_900, reference="AUTH 3")
    assert ledger_summary(charged.id).instalments[3].outstanding_cents == 100


def test_a_plan_never_reads_paid_while_its_money_is_owed(charged, staff):
    """Without a void, the old way out (a $99,999 fee) leaves $1,000 owed: one instalment."""
    _plan_of_four(charged, staff)
    _entry(charged, staff, "payment", 9_999_900, reference="AUTH 3", overpayment_confirmed=True)
    _entry(charged, staff, "charge", 9_999_900)
    summary = ledger_summary(charged.id)
    assert summary.balance_cents == 100_000
    assert [i.covered_cents for i in summary.instalments] == [100_000, 100_000, 100_000, 0]
    assert summary.owed_count == 1


def test_the_trail_replays_voids(charged, staff):
    payment = _entry(charged, staff, "payment", 100_000)
    _void(charged, payment, staff)
    assert reconcile() == []


def test_a_void_written_without_its_event_is_found(charged, staff):
    payment = _entry(charged, staff, "payment", 100_000)
    _raw_void(payment)
    db.session.commit()
    found = reconcile()
    assert any("void of entry" in str(d) and "no event" in str(d) for d in found), found


def test_two_voids_at_once_store_one(app, charged, staff, monkeypatch):
    """Two staff members void the same payment at the same moment: one void is kept, the other
    is refused with the message (the enrollment's row lock serialises them)."""
    payment = _entry(charged, staff, "payment", 100_000)
    enrollment_id, payment_id, staff_id = charged.id, payment.id, staff.id
    db.session.remove()
    real_void_of = services.void_of

    def slow_void_of(entry_id):
        found = real_void_of(entry_id)
        time.sleep(0.3)  # widen the window between the check and the insert
        return found

    monkeypatch.setattr(services, "void_of", slow_void_of)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def void() -> None:
        # A POST request context: on SQLite the transaction then starts with BEGIN IMMEDIATE.
        with app.app_context(), app.test_request_context("/", method="POST"):
            start.wait(timeout=10)
            actor = db.session.get(User, staff_id)
            try:
                services.void_entry(enrollment_id, payment_id, REASON, actor)
                db.session.commit()
                outcomes.append("voided")
            except Refused as refused:
                db.session.rollback()
                outcomes.append("already void" if "already void" in refused.message else "?")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=void) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already void", "voided"]
    assert count(LedgerEntry) == 3
