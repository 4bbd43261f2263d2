"""Payment plans: instalments add up to the balance; payments cover them in due-date order; an
instalment is overdue from the day after its due date while part of it is uncovered."""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import post_form
from tests.finance.factories import count
from tests.finance.factories import local_today
from tracker.extensions import db
from tracker.finance import services
from tracker.finance.models import Instalment
from tracker.finance.models import PaymentPlan
from tracker.finance.queries import ledger_summary
from tracker.finance.services import NewEntry
from tracker.progress import facts


def _plan_data(rows):
    data = {}
    for i, (due_on, amount) in enumerate(rows):
        data[f"instalments-{i}-due_on"] = due_on.isoformat() if due_on else ""
        data[f"instalments-{i}-amount"] = amount
    return data


def _charge(enrollment, staff):
    services.charge_tuition(enrollment.id, staff)
    db.session.commit()


def _pay(enrollment, staff, cents, kind="payment"):
    method = "card" if kind in ("payment", "refund") else None
    services.record_entry(
        enrollment.id, NewEntry(kind, cents, kind, local_today(), method=method), staff
    )
    db.session.commit()


def test_plan_must_add_up_to_the_balance(as_staff, enrollment, staff):
    _charge(enrollment, staff)
    today = local_today()
    rows = [(today + timedelta(days=30), "2000"), (today + timedelta(days=60), "2000")]
    response = post_form(as_staff, f"/finance/enrollments/{enrollment.id}/plan", _plan_data(rows))
    page = response.get_data(as_text=True)
    assert "The instalments add up to $4,000.00 but the balance outstanding is $4,500.00" in page
    assert count(PaymentPlan) == 0
    assert count(Instalment) == 0


def test_plan_that_adds_up_is_saved(as_staff, enrollment, staff):
    _charge(enrollment, staff)
    _pay(enrollment, staff, 50_000)  # a deposit before the plan: the plan covers $4,000
    today = local_today()
    rows = [(today + timedelta(days=30), "2,000.00"), (None, ""), (today, "2000")]
    response = post_form(as_staff, f"/finance/enrollments/{enrollment.id}/plan", _plan_data(rows))
    assert response.status_code == 302
    plan = db.session.scalar(select(PaymentPlan))
    assert [(i.due_on, i.amount_cents) for i in plan.instalments] == [
        (today, 200_000),
        (today + timedelta(days=30), 200_000),
    ]
    summary = ledger_summary(enrollment.id)
    # The deposit was paid before the plan, so it covers no instalment.
    assert [i.covered_cents for i in summary.instalments] == [0, 0]
    page = as_staff.get(f"/finance/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "due" in page and "OVERDUE" not in page


def test_plan_row_half_filled_is_refused(as_staff, enrollment, staff):
    _charge(enrollment, staff)
    rows = [(local_today() + timedelta(days=5), "")]
    response = post_form(as_staff, f"/finance/enrollments/{enrollment.id}/plan", _plan_data(rows))
    assert "Enter the amount of this instalment." in response.get_data(as_text=True)
    assert count(PaymentPlan) == 0


def test_plan_with_no_rows_is_refused(as_staff, enrollment, staff):
    _charge(enrollment, staff)
    response = post_form(as_staff, f"/finance/enrollments/{enrollment.id}/plan", {})
    assert "Enter at least one instalment." in response.get_data(as_text=True)
    assert count(PaymentPlan) == 0


def test_plan_due_date_in_the_past_is_refused(as_staff, enrollment, staff):
    _charge(enrollment, staff)
    rows = [(local_today() - timedelta(days=1), "4500")]
    response = post_form(as_staff, f"/finance/enrollments/{enrollment.id}/plan", _plan_data(rows))
    assert "Instalment 1: the due date is in the past." in response.get_data(as_text=True)
    assert count(PaymentPlan) == 0


def test_plan_needs_a_balance(as_staff, enrollment):
    rows = [(local_today() + timedelta(days=5), "100")]
    response = post_form(as_staff, f"/finance/enrollments/{enrollment.id}/plan", _plan_data(rows))
    assert "Nothing is owed" in response.get_data(as_text=True)
    assert count(PaymentPlan) == 0


def test_new_plan_replaces_the_active_one(app, enrollment, staff):
    _charge(enrollment, staff)
    today = local_today()
    services.create_plan(enrollment.id, [(today + timedelta(days=10), 450_000)], staff)
    db.session.commit()
    services.create_plan(
        enrollment.id,
        [(today + timedelta(days=10), 250_000), (today + timedelta(days=40), 200_000)],
        staff,
    )
    db.session.commit()
    plans = db.session.scalars(select(PaymentPlan).order_by(PaymentPlan.id)).all()
    assert [p.active for p in plans] == [False, True]
    assert len(ledger_summary(enrollment.id).instalments) == 2
    services.end_plan(enrollment.id, staff)
    db.session.commit()
    assert ledger_summary(enrollment.id).instalments == []


def _plan_on_file(enrollment, staff, rows, opening_credits=0):
    """A plan written directly, so that its due dates can lie in the past."""
    plan = PaymentPlan(
        enrollment_id=enrollment.id,
        created_by_id=staff.id,
        opening_credits_cents=opening_credits,
        instalments=[Instalment(due_on=d, amount_cents=c) for d, c in rows],
    )
    db.session.add(plan)
    db.session.commit()
    return plan


def test_overdue_is_the_day_after_the_due_date(app, enrollment, staff):
    _charge(enrollment, staff)
    today = local_today()
    _plan_on_file(enrollment, staff, [(today - timedelta(days=1), 150_000), (today, 300_000)])
    summary = ledger_summary(enrollment.id, today=today)
    assert [(i.overdue, i.status) for i in summary.instalments] == [
        (True, "OVERDUE"),
        (False, "due"),
    ]
    assert summary.overdue_count == 1


def test_partially_covered_instalment_is_still_overdue(app, enrollment, staff):
    _charge(enrollment, staff)
    today = local_today()
    _plan_on_file(
        enrollment,
        staff,
        [
            (today - timedelta(days=40), 150_000),
            (today - timedelta(days=10), 150_000),
            (today + timedelta(days=20), 150_000),
        ],
    )
    _pay(enrollment, staff, 200_000)  # covers the first, half the second
    summary = ledger_summary(enrollment.id, today=today)
    assert [(i.covered_cents, i.overdue, i.status) for i in summary.instalments] == [
        (150_000, False, "paid"),
        (50_000, True, "OVERDUE"),
        (0, False, "due"),
    ]
    _pay(enrollment, staff, 100_000)
    summary = ledger_summary(enrollment.id, today=today)
    assert summary.overdue_count == 0
    assert summary.as_ledger() == facts.Ledger(
        charges_cents=450_000,
        credits_cents=300_000,
        instalments=(
            facts.Instalment(today - timedelta(days=40), 150_000, 150_000),
            facts.Instalment(today - timedelta(days=10), 150_000, 150_000),
            facts.Instalment(today + timedelta(days=20), 150_000, 0),
        ),
    )


def test_refund_uncovers_instalments(app, enrollment, staff):
    _charge(enrollment, staff)
    today = local_today()
    _plan_on_file(enrollment, staff, [(today - timedelta(days=3), 450_000)])
    _pay(enrollment, staff, 450_000)
    assert ledger_summary(enrollment.id, today=today).overdue_count == 0
    _pay(enrollment, staff, 1_000, kind="refund")
    summary = ledger_summary(enrollment.id, today=today)
    assert summary.instalments[0].covered_cents == 449_000
    assert summary.overdue_count == 1


def test_pages_show_overdue_as_text(client, auth, enrollment, staff, trainee):
    _charge(enrollment, staff)
    today = local_today()
    _plan_on_file(
        enrollment,
        staff,
        [(today - timedelta(days=2), 200_000), (today + timedelta(days=28), 250_000)],
    )
    auth.login(staff)
    page = client.get(f"/finance/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "OVERDUE" in page
    index = client.get("/finance/").get_data(as_text=True)
    assert "Terry Trainee" in index and "1 OVERDUE" in index
    auth.logout()
    auth.login(trainee)
    page = client.get("/finance/me").get_data(as_text=True)
    assert "OVERDUE" in page
    assert "1 instalment OVERDUE" in page
