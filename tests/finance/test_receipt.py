"""A printable receipt per payment: program, payer, amount, method, reference, date, number."""

from datetime import date

from tracker.extensions import db
from tracker.finance import services
from tracker.finance.services import NewEntry


def _payment(enrollment, staff, **changes):
    values = {
        "kind": "payment",
        "amount_cents": 987_500,
        "description": "Tuition in full",
        "posted_on": date(2026, 3, 1),
        "method": "check",
        "reference": "CHK 4471",
        "overpayment_confirmed": True,  # more than the tuition: the receipt shows any amount
    }
    values.update(changes)
    entry = services.record_entry(enrollment.id, NewEntry(**values), staff)
    db.session.commit()
    return entry


def test_receipt_shows_the_payment(as_staff, enrollment, staff):
    entry = _payment(enrollment, staff)
    response = as_staff.get(f"/finance/receipts/{entry.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        enrollment.program.name,
        "Terry Trainee",
        "$9,875.00",
        "Check",
        "CHK 4471",
        "2026-03-01",
        f"Payment receipt no. {entry.id}",
        "Tuition in full",
    ):
        assert text in page
    assert "<script" not in page


def test_only_payments_have_receipts(as_staff, enrollment, staff):
    services.charge_tuition(enrollment.id, staff)
    db.session.commit()
    payment = _payment(enrollment, staff, amount_cents=100)
    refund = _payment(enrollment, staff, kind="refund", amount_cents=100)
    assert as_staff.get(f"/finance/receipts/{payment.id}").status_code == 200
    assert as_staff.get(f"/finance/receipts/{refund.id}").status_code == 404
    assert as_staff.get("/finance/receipts/1").status_code == 404  # the tuition charge
    assert as_staff.get("/finance/receipts/9999").status_code == 404


def test_trainee_sees_own_receipt_only(client, auth, create_user, enrollment, staff, trainee):
    from tests.finance.factories import make_enrollment

    other = create_user("trainee", name="Olive Other")
    own = _payment(enrollment, staff)
    theirs = _payment(make_enrollment(other), staff)
    auth.login(trainee)
    assert client.get(f"/finance/receipts/{own.id}").status_code == 200
    assert client.get(f"/finance/receipts/{theirs.id}").status_code == 404


def test_receipt_escapes_text(as_staff, enrollment, staff):
    entry = _payment(enrollment, staff, description="<script>alert(1)</script>")
    page = as_staff.get(f"/finance/receipts/{entry.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
