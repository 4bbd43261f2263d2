"""Separation of duties on the ledger: a staff member who is also a trainee records nothing on
their own enrollment (no charge, payment, scholarship, discount, refund or plan), through the
pages or the services; another staff member still can."""

from datetime import timedelta

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
from tracker.finance.models import PaymentPlan
from tracker.finance.services import OWN_LEDGER
from tracker.finance.services import NewEntry


@pytest.fixture
def dual(create_user):
    """A staff member who is also a trainee."""
    return create_user("staff", "trainee", name="Dana Dual")


@pytest.fixture
def own_enrollment(dual, staff):
    """The dual account's own enrollment, its tuition charged by another staff member."""
    enrollment = make_enrollment(dual)
    services.charge_tuition(enrollment.id, staff)
    services.record_entry(
        enrollment.id, NewEntry("payment", 50_000, "Deposit", local_today(), "card"), staff
    )
    db.session.commit()
    return enrollment


def _entry_form(kind: str) -> dict[str, str]:
    data = {
        f"{kind}-amount": "100.00",
        f"{kind}-description": "Waived by myself",
        f"{kind}-posted_on": local_today().isoformat(),
    }
    if kind in ("payment", "refund"):
        data[f"{kind}-method"] = "card"
    return data


def _plan_form() -> dict[str, str]:
    return {
        "instalments-0-due_on": (local_today() + timedelta(days=30)).isoformat(),
        "instalments-0-amount": "4,000.00",
    }


@pytest.mark.parametrize(
    ("path", "data"),
    [
        *[(f"entries/{kind}", _entry_form(kind)) for kind in services.ENTRY_KINDS],
        ("tuition", {"again": "y", "reason": "Charged twice on purpose"}),
        ("plan", _plan_form()),
    ],
)
def test_staff_cannot_record_on_their_own_ledger(client, auth, dual, own_enrollment, path, data):
    auth.login(dual)
    entries, events = count(LedgerEntry), count(AuditEvent)
    response = post_form(
        client, f"/finance/enrollments/{own_enrollment.id}/{path}", data, follow_redirects=True
    )
    assert response.status_code == 200
    assert OWN_LEDGER in response.get_data(as_text=True)
    assert (count(LedgerEntry), count(PaymentPlan), count(AuditEvent)) == (entries, 0, events)


def test_staff_cannot_end_their_own_plan(client, auth, dual, own_enrollment, staff):
    today = local_today()
    services.create_plan(own_enrollment.id, [(today + timedelta(days=30), 400_000)], staff)
    db.session.commit()
    auth.login(dual)
    response = post_form(
        client, f"/finance/enrollments/{own_enrollment.id}/plan/end", follow_redirects=True
    )
    assert OWN_LEDGER in response.get_data(as_text=True)
    assert db.session.scalar(select(PaymentPlan.active)) is True


def test_the_services_refuse_the_trainee_as_actor(dual, own_enrollment):
    today = local_today()
    attempts = [
        *[
            lambda kind=kind: services.record_entry(
                own_enrollment.id,
                NewEntry(
                    kind, 10_000, "Mine", today, "card" if kind in ("payment", "refund") else None
                ),
                dual,
            )
            for kind in services.ENTRY_KINDS
        ],
        lambda: services.charge_tuition(own_enrollment.id, dual, again=True, reason="Twice over"),
        lambda: services.create_plan(
            own_enrollment.id, [(today + timedelta(days=9), 400_000)], dual
        ),
        lambda: services.end_plan(own_enrollment.id, dual),
    ]
    for attempt in attempts:
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.message == OWN_LEDGER
        db.session.rollback()
    assert count(LedgerEntry) == 2


def test_another_staff_member_still_records_on_the_dual_account(as_staff, own_enrollment):
    response = post_form(
        as_staff,
        f"/finance/enrollments/{own_enrollment.id}/entries/payment",
        _entry_form("payment"),
    )
    assert response.status_code == 302
    assert count(LedgerEntry) == 3
