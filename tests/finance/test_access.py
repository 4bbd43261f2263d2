"""Who reaches the ledger: staff act; a trainee reads only their own; nobody else gets in."""

import pytest

from tests.conftest import post_form
from tests.finance.factories import count
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.extensions import db
from tracker.finance import services
from tracker.finance.models import LedgerEntry
from tracker.finance.models import PaymentPlan
from tracker.finance.services import NewEntry

STAFF_POSTS = [
    ("tuition", {}),
    (
        "entries/payment",
        {
            "payment-amount": "10",
            "payment-description": "x",
            "payment-method": "cash",
            "payment-posted_on": "2026-01-02",
        },
    ),
    (
        "entries/refund",
        {
            "refund-amount": "10",
            "refund-description": "x",
            "refund-method": "cash",
            "refund-posted_on": "2026-01-02",
        },
    ),
    (
        "entries/scholarship",
        {
            "scholarship-amount": "10",
            "scholarship-description": "x",
            "scholarship-posted_on": "2026-01-02",
        },
    ),
    (
        "entries/charge",
        {"charge-amount": "10", "charge-description": "x", "charge-posted_on": "2026-01-02"},
    ),
    ("plan", {"instalments-0-due_on": "2030-01-01", "instalments-0-amount": "10"}),
    ("plan/end", {}),
]


@pytest.mark.parametrize(("path", "data"), STAFF_POSTS)
def test_trainee_cannot_post_to_staff_forms(client, auth, enrollment, trainee, path, data):
    auth.login(trainee)
    response = post_form(client, f"/finance/enrollments/{enrollment.id}/{path}", data)
    assert response.status_code == 403
    assert count(LedgerEntry) == 0
    assert count(PaymentPlan) == 0


@pytest.mark.parametrize("role", ["supervisor", "trainee"])
def test_only_staff_see_the_staff_pages(client, auth, create_user, enrollment, role):
    auth.login(create_user(role))
    assert client.get(f"/finance/enrollments/{enrollment.id}").status_code == 403
    assert client.get("/finance/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, enrollment):
    response = client.get(f"/finance/enrollments/{enrollment.id}")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
    assert client.get("/finance/me").status_code == 302


def test_trainee_sees_own_ledger_read_only(client, auth, enrollment, staff, trainee):
    services.charge_tuition(enrollment.id, staff)
    services.record_entry(
        enrollment.id,
        NewEntry("payment", 50_000, "Deposit", local_today(), method="card", reference="A1"),
        staff,
    )
    db.session.commit()
    auth.login(trainee)
    page = client.get("/finance/me").get_data(as_text=True)
    assert "My ledger" in page
    assert "Deposit" in page and "$4,000.00 owed" in page
    assert "<form" not in page.split("<main", 1)[1]  # no form on the trainee's page
    assert client.get(f"/finance/me/{enrollment.id}").status_code == 200
    # The navigation offers the trainee a "Ledger" link.
    assert 'href="/finance/me">Ledger</a>' in page


def test_another_trainees_enrollment_is_not_found(client, auth, create_user, enrollment, staff):
    other = create_user("trainee", name="Olive Other")
    theirs = make_enrollment(other)
    services.charge_tuition(theirs.id, staff)
    db.session.commit()
    auth.login(enrollment.trainee)
    assert client.get(f"/finance/me/{theirs.id}").status_code == 404
    assert client.get("/finance/me/99999").status_code == 404
    assert "Olive Other" not in client.get("/finance/me").get_data(as_text=True)


def test_trainee_without_enrollment(client, auth, create_user):
    auth.login(create_user("trainee"))
    page = client.get("/finance/me").get_data(as_text=True)
    assert "You have no enrollment yet" in page


def test_post_without_csrf_token_is_refused(as_staff, enrollment):
    response = as_staff.post(f"/finance/enrollments/{enrollment.id}/tuition", data={})
    assert response.status_code == 400
    assert count(LedgerEntry) == 0


def test_staff_index_lists_who_owes(as_staff, create_user, enrollment, staff):
    make_enrollment(create_user("trainee", name="Paula Paid"))
    services.charge_tuition(enrollment.id, staff)
    db.session.commit()
    page = as_staff.get("/finance/").get_data(as_text=True)
    assert "Terry Trainee" in page
    assert "Paula Paid" not in page
    page = as_staff.get("/finance/?show=all").get_data(as_text=True)
    assert "Paula Paid" in page
    page = as_staff.get("/finance/?show=all&q=paula").get_data(as_text=True)
    assert "Paula Paid" in page and "Terry Trainee" not in page
