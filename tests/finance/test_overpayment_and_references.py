"""A payment above the balance owed is stored only after the recorder confirms that very amount;
a payment's reference is used once per enrollment (until that payment is voided)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.finance.factories import count
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.audit.models import AuditEvent
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.finance import services
from tracker.finance.models import LedgerEntry
from tracker.finance.services import NewEntry


def _url(enrollment):
    return f"/finance/enrollments/{enrollment.id}/entries/payment"


def _payment(amount="999.00", reference="AUTH 3", **extra):
    data = {
        "payment-amount": amount,
        "payment-description": "Third instalment",
        "payment-method": "card",
        "payment-reference": reference,
        "payment-posted_on": local_today().isoformat(),
    }
    data.update(extra)
    return data


@pytest.fixture
def charged(enrollment, staff):
    """The enrollment with its tuition of $4,500.00 charged."""
    services.charge_tuition(enrollment.id, staff)
    db.session.commit()
    return enrollment


def _payments():
    db.session.expire_all()
    return db.session.scalars(
        select(LedgerEntry.amount_cents).where(LedgerEntry.kind == "payment")
    ).all()


def test_a_payment_within_the_balance_needs_no_confirmation(as_staff, charged):
    assert post_form(as_staff, _url(charged), _payment("4,500.00")).status_code == 302
    assert _payments() == [450_000]


def test_an_overpayment_is_shown_again_with_the_difference(as_staff, charged):
    events = count(AuditEvent)
    response = post_form(as_staff, _url(charged), _payment("99,999.00"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This payment of $99,999.00 is $95,499.00 more than the balance owed ($4,500.00)" in page
    assert "Yes, this amount is right: record the overpayment" in page
    assert 'name="payment-overpayment_cents" type="hidden" value="9999900"' in page
    assert 'value="99,999.00"' in page  # what was typed stays, to be corrected
    assert _payments() == [] and count(AuditEvent) == events


def test_the_confirmed_overpayment_is_stored(as_staff, charged):
    confirmed = _payment(
        "99,999.00",
        **{"payment-confirm_overpayment": "y", "payment-overpayment_cents": "9999900"},
    )
    assert post_form(as_staff, _url(charged), confirmed).status_code == 302
    assert _payments() == [9_999_900]
    page = as_staff.get(f"/finance/enrollments/{charged.id}").get_data(as_text=True)
    assert "$95,499.00 in credit" in page


@pytest.mark.parametrize(
    "extra",
    [
        {"payment-confirm_overpayment": "y"},  # ticked, but for no amount shown
        {"payment-confirm_overpayment": "y", "payment-overpayment_cents": "5000000"},  # another
        {"payment-overpayment_cents": "9999900"},  # shown, not ticked
    ],
    ids=["no amount", "another amount", "not ticked"],
)
def test_a_confirmation_counts_only_for_the_amount_shown(as_staff, charged, extra):
    response = post_form(as_staff, _url(charged), _payment("99,999.00", **extra))
    assert "$95,499.00 more than the balance owed" in response.get_data(as_text=True)
    assert _payments() == []


def test_with_nothing_owed_every_payment_asks(as_staff, enrollment):
    response = post_form(as_staff, _url(enrollment), _payment("100.00"))
    assert "is $100.00 more than the balance owed (nothing is owed now)" in response.get_data(
        as_text=True
    )
    assert _payments() == []


def test_the_service_refuses_an_unconfirmed_overpayment(charged, staff):
    new = NewEntry("payment", 450_001, "Pay", local_today(), "card")
    with pytest.raises(services.Overpayment) as refused:
        services.record_entry(charged.id, new, staff)
    assert (refused.value.field, refused.value.excess_cents) == ("confirm_overpayment", 1)
    db.session.rollback()


def test_a_second_payment_with_the_same_reference_is_refused(as_staff, charged):
    assert post_form(as_staff, _url(charged), _payment("999.00")).status_code == 302
    events = count(AuditEvent)
    for reference in ("AUTH 3", "auth 3", "  AUTH 3 "):
        response = post_form(as_staff, _url(charged), _payment("999.00", reference))
        page = response.get_data(as_text=True)
        assert 'id="payment-reference-error"' in page
        assert f"The reference “{reference.strip()}” is already on this ledger" in page
        assert "payment no." in page and "$999.00 on" in page
    assert _payments() == [99_900] and count(AuditEvent) == events


def test_the_reference_is_checked_before_the_overpayment(as_staff, charged):
    post_form(as_staff, _url(charged), _payment("999.00"))
    page = post_form(as_staff, _url(charged), _payment("99,999.00")).get_data(as_text=True)
    assert "is already on this ledger" in page
    assert "more than the balance owed" not in page


def test_a_voided_payments_reference_is_free_again(charged, staff):
    new = NewEntry("payment", 100_000, "Pay", local_today(), "card", "AUTH 3")
    typo = services.record_entry(charged.id, new, staff)
    services.void_entry(charged.id, typo.id, "Amount typed wrong: it was $999.", staff)
    services.record_entry(
        charged.id, NewEntry("payment", 99_900, "Pay", local_today(), "card", "AUTH 3"), staff
    )
    db.session.commit()
    assert sorted(_payments()) == [99_900, 100_000, 100_000]


def test_the_same_reference_elsewhere_is_accepted(charged, staff, create_user):
    """Another enrollment, a refund, or a payment with no reference."""
    other = make_enrollment(create_user("trainee"))
    services.charge_tuition(other.id, staff)
    for enrollment_id, kind, reference in (
        (charged.id, "payment", "AUTH 3"),
        (other.id, "payment", "AUTH 3"),
        (charged.id, "refund", "AUTH 3"),
        (charged.id, "payment", ""),
        (charged.id, "payment", ""),
    ):
        new = NewEntry(kind, 1_000, "x", local_today(), "card", reference)
        services.record_entry(enrollment_id, new, staff)
    db.session.commit()
    assert count(LedgerEntry) == 7


def test_the_service_names_the_earlier_payment(charged, staff):
    first = services.record_entry(
        charged.id, NewEntry("payment", 1_000, "x", local_today(), "card", "CHK 12"), staff
    )
    with pytest.raises(Refused) as refused:
        services.record_entry(
            charged.id, NewEntry("payment", 2_000, "y", local_today(), "check", "chk 12"), staff
        )
    assert refused.value.field == "reference"
    assert f"payment no. {first.id} of $10.00" in refused.value.message
    db.session.rollback()
