"""Voiding through the pages: the void page, its refusals (a short reason, a forged or foreign
entry, a second void, a replayed form), and what the ledger, the receipt, the trainee's ledger,
the CSV and `flask audit verify` show afterwards."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import post_form
from tests.finance.factories import count
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.finance import services
from tracker.finance.models import LedgerEntry
from tracker.finance.services import NewEntry

REASON = "Typed $99,999 instead of $999 on the card payment."


@pytest.fixture
def payment(enrollment, staff):
    """The tuition charged and a $1,000.00 card payment (reference AUTH 77) on the ledger."""
    services.charge_tuition(enrollment.id, staff)
    entry = services.record_entry(
        enrollment.id,
        NewEntry("payment", 100_000, "First instalment", local_today(), "card", "AUTH 77"),
        staff,
    )
    db.session.commit()
    return entry


def _url(enrollment_id, entry_id):
    return f"/finance/enrollments/{enrollment_id}/entries/{entry_id}/void"


def _voids():
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.voids_id.is_not(None))
    )


def test_the_void_page_shows_the_entry_and_asks_for_a_reason(as_staff, enrollment, payment):
    page = as_staff.get(_url(enrollment.id, payment.id)).get_data(as_text=True)
    assert f"Void entry no. {payment.id}" in page
    assert "Payment of $1,000.00" in page and "AUTH 77" in page
    assert "Reason for the void" in page
    assert "its receipt shows VOID" in page


def test_voiding_through_the_page(as_staff, enrollment, payment, staff, trainee, client, auth):
    response = post_form(as_staff, _url(enrollment.id, payment.id), {"reason": REASON})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/finance/enrollments/{enrollment.id}")
    void = db.session.scalar(select(LedgerEntry).where(LedgerEntry.voids_id == payment.id))
    assert void.reason == REASON and void.recorded_by_id == staff.id
    page = as_staff.get(f"/finance/enrollments/{enrollment.id}").get_data(as_text=True)
    assert f"Entry no. {payment.id} is void" in page
    assert "VOID" in page and REASON in page and "Sam Staff" in page
    assert "Void of payment" in page
    assert "$0.00 paid" in page and "$4,500.00 owed" in page
    # The void's line has no Void button; the original's neither, any more.
    assert _url(enrollment.id, payment.id) not in page
    assert _url(enrollment.id, void.id) not in page

    receipt = as_staff.get(f"/finance/receipts/{payment.id}").get_data(as_text=True)
    assert "This receipt is void" in receipt and REASON in receipt
    assert as_staff.get(f"/finance/receipts/{void.id}").status_code == 404

    csv_rows = list(
        csv.reader(
            io.StringIO(
                as_staff.get(f"/finance/enrollments/{enrollment.id}/ledger.csv").get_data(
                    as_text=True
                )
            )
        )
    )
    assert csv_rows[0][-1] == "Void"
    by_id = {row[0]: row for row in csv_rows[1:]}
    assert by_id[str(payment.id)][-1].startswith(f"VOID: voided by entry {void.id}")
    assert by_id[str(void.id)][-1] == f"Void of entry {payment.id}: {REASON}"
    assert by_id[str(void.id)][6] == "1000.00"  # in the charge column: it raises the balance

    auth.logout()
    auth.login(trainee)
    mine = client.get("/finance/me").get_data(as_text=True)
    assert "VOID" in mine and REASON in mine and "$4,500.00 owed" in mine
    assert "/void" not in mine
    assert "This receipt is void" in client.get(f"/finance/receipts/{payment.id}").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give the reason for the void."),
        ("Mistake.", "Give the reason in at least 10 characters"),
        ("Bad\x07reason here", "control characters"),
        ("x" * 301, "Use at most 300 characters."),
    ],
)
def test_a_bad_reason_writes_nothing(as_staff, enrollment, payment, reason, message):
    events = count(AuditEvent)
    response = post_form(as_staff, _url(enrollment.id, payment.id), {"reason": reason})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _voids() == 0 and count(AuditEvent) == events


def test_forged_ids_are_not_found(as_staff, enrollment, payment, create_user, staff):
    other = make_enrollment(create_user("trainee"))
    # Another enrollment's entry, reached through this ledger, or this entry through another's.
    assert as_staff.get(_url(other.id, payment.id)).status_code == 404
    assert post_form(as_staff, _url(other.id, payment.id), {"reason": REASON}).status_code == 404
    assert post_form(as_staff, _url(enrollment.id, 999_999), {"reason": REASON}).status_code == 404
    assert post_form(as_staff, _url(999_999, payment.id), {"reason": REASON}).status_code == 404
    assert _voids() == 0


def test_a_second_void_and_a_replayed_form_are_refused(as_staff, enrollment, payment):
    assert (
        post_form(as_staff, _url(enrollment.id, payment.id), {"reason": REASON}).status_code == 302
    )
    events = count(AuditEvent)
    again = post_form(as_staff, _url(enrollment.id, payment.id), {"reason": REASON})
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "is already void" in page and "nothing was changed" in page
    assert _voids() == 1 and count(AuditEvent) == events
    void = db.session.scalar(select(LedgerEntry).where(LedgerEntry.voids_id == payment.id))
    shown = as_staff.get(_url(enrollment.id, void.id)).get_data(as_text=True)
    assert "a void cannot be voided" in shown
    assert 'name="reason"' not in shown
    refused = post_form(as_staff, _url(enrollment.id, void.id), {"reason": REASON})
    assert "a void cannot be voided" in refused.get_data(as_text=True)
    assert _voids() == 1


def test_the_void_page_of_a_voided_entry_says_who_voided_it(as_staff, enrollment, payment):
    post_form(as_staff, _url(enrollment.id, payment.id), {"reason": REASON})
    page = as_staff.get(_url(enrollment.id, payment.id)).get_data(as_text=True)
    assert "VOID" in page and REASON in page and "Sam Staff" in page
    assert 'name="reason"' not in page


def test_a_void_needs_the_csrf_token(as_staff, enrollment, payment):
    response = as_staff.post(_url(enrollment.id, payment.id), data={"reason": REASON})
    assert response.status_code == 400
    assert _voids() == 0


@pytest.mark.parametrize("role", ["trainee", "supervisor"])
def test_only_staff_void(client, auth, create_user, enrollment, payment, trainee, role):
    auth.login(trainee if role == "trainee" else create_user(role))
    assert client.get(_url(enrollment.id, payment.id)).status_code == 403
    assert post_form(client, _url(enrollment.id, payment.id), {"reason": REASON}).status_code == 403
    assert _voids() == 0


def test_staff_cannot_void_on_their_own_ledger(client, auth, create_user, staff):
    dual = create_user("staff", "trainee")
    own = make_enrollment(dual)
    services.charge_tuition(own.id, staff)
    db.session.commit()
    tuition = db.session.scalar(select(LedgerEntry).where(LedgerEntry.enrollment_id == own.id))
    auth.login(dual)
    response = post_form(client, _url(own.id, tuition.id), {"reason": REASON})
    assert "your own ledger" in response.get_data(as_text=True)
    assert _voids() == 0


def test_the_audit_trail_verifies_after_voids(as_staff, enrollment, payment, runner):
    post_form(as_staff, _url(enrollment.id, payment.id), {"reason": REASON})
    tuition = db.session.scalar(select(LedgerEntry).where(LedgerEntry.tuition.is_(True)))
    post_form(as_staff, _url(enrollment.id, tuition.id), {"reason": "Charged on the wrong track."})
    assert _voids() == 2
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Audit trail intact: \d+ event", result.output)
