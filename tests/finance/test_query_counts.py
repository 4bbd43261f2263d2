"""The ledger pages read a fixed number of queries, however many entries, voids and enrollments
they list."""

from __future__ import annotations

from datetime import timedelta

from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.extensions import db
from tracker.finance import services
from tracker.finance.models import Instalment
from tracker.finance.models import PaymentPlan
from tracker.finance.services import NewEntry

REASON = "Recorded twice by mistake, voided."


def _entries(enrollment, staff, n):
    """n payments and n fees, every other one voided."""
    for i in range(n):
        for kind in ("payment", "charge"):
            method = "card" if kind == "payment" else None
            new = NewEntry(kind, 1_000, f"{kind} {i}", local_today(), method)
            entry = services.record_entry(enrollment.id, new, staff)
            if i % 2:
                services.void_entry(enrollment.id, entry.id, REASON, staff)
    db.session.commit()


def _owing(create_user, staff, n):
    for _ in range(n):
        enrollment = make_enrollment(create_user("trainee"))
        services.charge_tuition(enrollment.id, staff)
        _entries(enrollment, staff, 1)
        db.session.add(
            PaymentPlan(
                enrollment_id=enrollment.id,
                instalments=[
                    Instalment(due_on=local_today() - timedelta(days=1), amount_cents=450_000)
                ],
            )
        )
        db.session.commit()


def test_the_ledger_pages_do_not_query_per_entry(
    as_staff, client, auth, enrollment, staff, trainee, count_queries
):
    services.charge_tuition(enrollment.id, staff)
    _entries(enrollment, staff, 2)
    pages = (
        f"/finance/enrollments/{enrollment.id}",
        f"/finance/enrollments/{enrollment.id}/ledger.csv",
    )
    few = {}
    for url in pages:
        with count_queries() as counted:
            assert as_staff.get(url).status_code == 200
        few[url] = counted.count
    _entries(enrollment, staff, 12)
    for url in pages:
        with count_queries() as many:
            assert as_staff.get(url).status_code == 200
        assert many.count == few[url], url
    auth.logout()
    auth.login(trainee)
    with count_queries() as mine:
        assert client.get("/finance/me").status_code == 200
    _entries(enrollment, staff, 6)
    with count_queries() as more:
        assert client.get("/finance/me").status_code == 200
    assert more.count == mine.count


def test_the_list_of_ledgers_does_not_query_per_enrollment(
    as_staff, create_user, staff, count_queries
):
    _owing(create_user, staff, 2)
    with count_queries() as few:
        page = as_staff.get("/finance/?show=all")
    assert page.status_code == 200
    _owing(create_user, staff, 8)
    with count_queries() as many:
        page = as_staff.get("/finance/?show=all")
    assert many.count == few.count
    assert page.get_data(as_text=True).count("1 OVERDUE") == 10
