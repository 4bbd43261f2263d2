"""Ledger summaries: the totals the progress engine reads, for many enrollments at a constant
number of queries."""

from datetime import timedelta

from sqlalchemy import select

from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.finance import services
from tracker.finance.facts import ledger_facts
from tracker.finance.models import Instalment
from tracker.finance.models import PaymentPlan
from tracker.finance.queries import ledger_summaries
from tracker.finance.queries import ledger_summary
from tracker.finance.services import NewEntry
from tracker.progress import facts


def _enrollments(create_user, staff, n):
    today = local_today()
    result = []
    for _ in range(n):
        enrollment = make_enrollment(create_user("trainee"))
        services.charge_tuition(enrollment.id, staff)
        services.record_entry(
            enrollment.id, NewEntry("payment", 10_000, "Pay", today, method="card"), staff
        )
        db.session.add(
            PaymentPlan(
                enrollment_id=enrollment.id,
                opening_credits_cents=10_000,
                instalments=[
                    Instalment(due_on=today - timedelta(days=1), amount_cents=200_000),
                    Instalment(due_on=today + timedelta(days=30), amount_cents=240_000),
                ],
            )
        )
        db.session.commit()
        result.append(enrollment.id)
    return result


def test_constant_queries_for_3_and_30(app, create_user, staff, count_queries):
    ids = _enrollments(create_user, staff, 30)
    db.session.expire_all()
    with count_queries() as few:
        small = ledger_summaries(ids[:3])
    with count_queries() as many:
        large = ledger_summaries(ids)
    assert few.count == many.count
    assert many.count <= 3
    assert len(small) == 3 and len(large) == 30
    with count_queries() as few_facts:
        ledger_facts(ids[:3])
    with count_queries() as many_facts:
        found = ledger_facts(ids)
    assert few_facts.count == many_facts.count
    assert found[ids[0]]["ledger"] == large[ids[0]].as_ledger()
    # The enrollment loader passes a subquery of ids: the same facts, the same queries.
    with count_queries() as by_subquery:
        selected = ledger_facts(select(Enrollment.id).where(Enrollment.id.in_(ids[:3])))
    assert by_subquery.count == many_facts.count
    assert selected == {i: found[i] for i in ids[:3]}


def test_summary_totals(app, enrollment, staff):
    today = local_today()
    services.charge_tuition(enrollment.id, staff)
    for kind, cents in (
        ("payment", 100_000),
        ("scholarship", 50_000),
        ("discount", 25_000),
        ("refund", 10_000),
        ("charge", 5_000),
    ):
        method = "card" if kind in ("payment", "refund") else None
        services.record_entry(enrollment.id, NewEntry(kind, cents, kind, today, method), staff)
    db.session.commit()
    summary = ledger_summary(enrollment.id)
    assert (
        summary.charges_cents,
        summary.credits_cents,
        summary.paid_cents,
        summary.refunded_cents,
        summary.balance_cents,
        summary.instalments,
    ) == (455_000, 165_000, 100_000, 10_000, 290_000, [])
    assert summary.refundable_cents == 90_000
    assert summary.as_ledger() == facts.Ledger(charges_cents=455_000, credits_cents=165_000)


def test_unknown_or_empty_ledgers_get_empty_summaries(app, enrollment):
    summaries = ledger_summaries([enrollment.id, 424242])
    assert summaries[enrollment.id].balance_cents == 0
    assert summaries[424242].as_ledger() == facts.Ledger()
    assert ledger_summaries([]) == {}
