"""Refunds never exceed what was paid less earlier refunds, also when two arrive at once."""

import threading
import time

from tests.conftest import post_form
from tests.finance.factories import count
from tests.finance.factories import local_today
from tracker.accounts.models import User
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.finance import services
from tracker.finance.models import LedgerEntry
from tracker.finance.services import NewEntry


def _post(client, enrollment, kind, amount, **extra):
    data = {
        f"{kind}-amount": amount,
        f"{kind}-description": f"{kind} {amount}",
        f"{kind}-posted_on": local_today().isoformat(),
    }
    if kind in ("payment", "refund"):
        data[f"{kind}-method"] = "bank_transfer"
    data.update(extra)
    return post_form(client, f"/finance/enrollments/{enrollment.id}/entries/{kind}", data)


def test_refund_above_payments_is_refused(as_staff, enrollment):
    post_form(as_staff, f"/finance/enrollments/{enrollment.id}/tuition")
    _post(as_staff, enrollment, "payment", "1000")
    response = _post(as_staff, enrollment, "refund", "1000.01")
    page = response.get_data(as_text=True)
    assert 'id="refund-amount-error"' in page
    assert "A refund cannot exceed what was paid less earlier refunds ($1,000.00" in page
    assert count(LedgerEntry) == 2


def test_refund_of_exactly_what_was_paid_is_allowed(as_staff, enrollment):
    post_form(as_staff, f"/finance/enrollments/{enrollment.id}/tuition")
    _post(as_staff, enrollment, "payment", "1000")
    assert _post(as_staff, enrollment, "refund", "1000").status_code == 302
    assert count(LedgerEntry) == 3


def test_refund_exceeding_after_an_earlier_refund_is_refused(as_staff, enrollment):
    post_form(as_staff, f"/finance/enrollments/{enrollment.id}/tuition")
    _post(as_staff, enrollment, "payment", "1000")
    assert _post(as_staff, enrollment, "refund", "600").status_code == 302
    response = _post(as_staff, enrollment, "refund", "400.01")
    assert "($400.00 can be refunded)" in response.get_data(as_text=True)
    assert count(LedgerEntry) == 3
    assert _post(as_staff, enrollment, "refund", "400").status_code == 302


def test_scholarships_and_discounts_are_not_refundable(as_staff, enrollment):
    post_form(as_staff, f"/finance/enrollments/{enrollment.id}/tuition")
    _post(as_staff, enrollment, "scholarship", "2000")
    _post(as_staff, enrollment, "discount", "500")
    _post(as_staff, enrollment, "payment", "100")
    response = _post(as_staff, enrollment, "refund", "100.01")
    assert "($100.00 can be refunded)" in response.get_data(as_text=True)
    assert count(LedgerEntry) == 4


def test_refund_needs_a_method(as_staff, enrollment):
    post_form(as_staff, f"/finance/enrollments/{enrollment.id}/tuition")
    _post(as_staff, enrollment, "payment", "100")
    response = _post(as_staff, enrollment, "refund", "50", **{"refund-method": ""})
    assert 'id="refund-method-error"' in response.get_data(as_text=True)
    assert count(LedgerEntry) == 2


def test_two_refunds_at_once_cannot_both_pass(app, enrollment, staff, monkeypatch):
    """Each refund alone fits; together they would exceed the payment. Exactly one is kept."""
    payment = NewEntry(
        "payment", 10_000, "Payment", local_today(), method="card", overpayment_confirmed=True
    )
    services.record_entry(enrollment.id, payment, staff)
    db.session.commit()
    enrollment_id, staff_id = enrollment.id, staff.id
    db.session.remove()

    real_totals = services._totals

    def slow_totals(enrollment_id):
        totals = real_totals(enrollment_id)
        time.sleep(0.3)  # widen the window between the check and the insert
        return totals

    monkeypatch.setattr(services, "_totals", slow_totals)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def refund() -> None:
        # A POST request context: on SQLite the transaction then starts with BEGIN IMMEDIATE.
        with app.app_context(), app.test_request_context("/", method="POST"):
            start.wait(timeout=10)
            actor = db.session.get(User, staff_id)
            try:
                services.record_entry(
                    enrollment_id,
                    NewEntry("refund", 6_000, "Refund", local_today(), method="card"),
                    actor,
                )
                db.session.commit()
                outcomes.append("refunded")
            except Refused:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=refund) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refunded", "refused"]
    assert count(LedgerEntry) == 2
