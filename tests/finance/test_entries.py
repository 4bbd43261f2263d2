"""Staff add each kind of ledger entry; a refused form writes nothing and says why by the field."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.finance.factories import count
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.finance.models import LedgerEntry


def _url(enrollment, kind):
    return f"/finance/enrollments/{enrollment.id}/entries/{kind}"


def _payment(**changes):
    data = {
        "payment-amount": "1,250.00",
        "payment-description": "First payment",
        "payment-method": "card",
        "payment-reference": "TX-1001",
        "payment-posted_on": local_today().isoformat(),
    }
    data.update(changes)
    return data


def test_payment_is_recorded_with_an_audit_event(as_staff, enrollment, staff):
    post_form(as_staff, f"/finance/enrollments/{enrollment.id}/tuition")
    response = post_form(as_staff, _url(enrollment, "payment"), _payment())
    assert response.status_code == 302
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "payment"))
    assert (entry.kind, entry.amount_cents, entry.method, entry.reference) == (
        "payment",
        125_000,
        "card",
        "TX-1001",
    )
    assert entry.recorded_by_id == staff.id
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "ledger.entry_added")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert event.subject_user_id == enrollment.trainee_id
    page = as_staff.get(f"/finance/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "First payment" in page
    assert "$1,250.00" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"payment-amount": "-10"}, "payment-amount", "minus sign"),
        ({"payment-amount": "0"}, "payment-amount", "above zero"),
        ({"payment-amount": "12.345"}, "payment-amount", "two decimal places"),
        ({"payment-amount": "250000"}, "payment-amount", "at most $100,000.00"),
        ({"payment-method": ""}, "payment-method", "Choose how the money moved."),
        ({"payment-method": "bitcoin"}, "payment-method", "Not a valid choice"),
        ({"payment-description": ""}, "payment-description", "Enter a description."),
        ({"payment-description": "x" * 201}, "payment-description", "at most 200"),
        ({"payment-description": "bad\x07bell"}, "payment-description", "control characters"),
        ({"payment-reference": "r" * 81}, "payment-reference", "at most 80"),
        ({"payment-posted_on": "not a date"}, "payment-posted_on", "Not a valid date"),
        ({"payment-posted_on": "1999-12-31"}, "payment-posted_on", "too far in the past"),
    ],
)
def test_refused_payment_writes_nothing(as_staff, enrollment, changes, field, message):
    response = post_form(as_staff, _url(enrollment, "payment"), _payment(**changes))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert count(LedgerEntry) == 0


def test_payment_dated_tomorrow_is_refused(as_staff, enrollment):
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = post_form(
        as_staff, _url(enrollment, "payment"), _payment(**{"payment-posted_on": tomorrow})
    )
    assert "The date cannot be in the future." in response.get_data(as_text=True)
    assert count(LedgerEntry) == 0


def test_fee_is_a_free_charge(as_staff, enrollment):
    response = post_form(
        as_staff,
        _url(enrollment, "charge"),
        {
            "charge-amount": "150",
            "charge-description": "Retreat lodging fee",
            "charge-posted_on": local_today().isoformat(),
            # A method on a charge is ignored: charges carry none.
            "charge-method": "cash",
        },
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(LedgerEntry))
    assert (entry.kind, entry.amount_cents, entry.method, entry.tuition) == (
        "charge",
        15_000,
        None,
        False,
    )


def test_fee_without_amount_writes_nothing(as_staff, enrollment):
    response = post_form(
        as_staff,
        _url(enrollment, "charge"),
        {"charge-description": "Fee", "charge-posted_on": local_today().isoformat()},
    )
    assert 'id="charge-amount-error"' in response.get_data(as_text=True)
    assert count(LedgerEntry) == 0


def _charge_tuition(client, enrollment, **data):
    return post_form(client, f"/finance/enrollments/{enrollment.id}/tuition", data)


@pytest.mark.parametrize("kind", ["scholarship", "discount"])
def test_credit_up_to_the_balance(as_staff, enrollment, kind):
    _charge_tuition(as_staff, enrollment)
    data = {
        f"{kind}-amount": "500",
        f"{kind}-description": f"Needs-based {kind}",
        f"{kind}-posted_on": local_today().isoformat(),
    }
    assert post_form(as_staff, _url(enrollment, kind), data).status_code == 302
    data[f"{kind}-amount"] = "4,000.01"  # the balance left is 4,000.00
    response = post_form(as_staff, _url(enrollment, kind), data)
    assert f"A {kind} cannot exceed the balance owed ($4,000.00)" in response.get_data(as_text=True)
    assert count(LedgerEntry) == 2


def test_unknown_kind_is_not_found(as_staff, enrollment):
    response = post_form(as_staff, _url(enrollment, "gift"), {"gift-amount": "10"})
    assert response.status_code == 404


def test_unknown_enrollment_is_not_found(as_staff):
    response = post_form(as_staff, "/finance/enrollments/999/entries/payment", _payment())
    assert response.status_code == 404
    assert count(LedgerEntry) == 0


def test_tuition_charged_once_from_the_track(as_staff, enrollment):
    assert _charge_tuition(as_staff, enrollment).status_code == 302
    entry = db.session.scalar(select(LedgerEntry))
    assert (entry.kind, entry.amount_cents, entry.tuition) == ("charge", 450_000, True)
    assert entry.posted_on == local_today()

    response = _charge_tuition(as_staff, enrollment)
    assert "The tuition is already charged." in response.get_data(as_text=True)
    assert count(LedgerEntry) == 1

    response = _charge_tuition(as_staff, enrollment, again="y", reason="")
    assert "Give the reason for charging the tuition again." in response.get_data(as_text=True)
    assert count(LedgerEntry) == 1

    response = _charge_tuition(as_staff, enrollment, again="y", reason="Repeating the program")
    assert response.status_code == 302
    assert count(LedgerEntry) == 2
    page = as_staff.get(f"/finance/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "Charged again: Repeating the program" in page


def test_tuition_needs_a_track(as_staff, trainee):
    enrollment = make_enrollment(trainee, with_track=False, status="applicant")
    response = _charge_tuition(as_staff, enrollment)
    assert "No track is chosen yet" in response.get_data(as_text=True)
    assert count(LedgerEntry) == 0


def test_page_says_entries_are_corrected_not_edited(as_staff, enrollment):
    page = as_staff.get(f"/finance/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "Entries are never edited or deleted" in page
    assert "<h1>" in page and page.count("<h1") == 1


def test_running_balance(as_staff, enrollment):
    _charge_tuition(as_staff, enrollment)
    post_form(as_staff, _url(enrollment, "payment"), _payment(**{"payment-amount": "1000"}))
    page = as_staff.get(f"/finance/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "$4,500.00" in page
    assert "$3,500.00" in page
    assert "$3,500.00 owed" in page
