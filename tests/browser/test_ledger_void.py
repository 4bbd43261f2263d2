"""The issue's mistyped payment in a real browser: staff type $99,999.00 for the last $999.00
instalment, are asked to confirm the overpayment, confirm it by mistake, then void it with a
reason. The plan goes back to "1 instalment owed", the receipt shows VOID, the trainee sees the
same, the trail holds both events and `flask audit verify` still passes."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from tests.browser.conftest import Person
from tests.conftest import PASSWORD
from tests.finance.factories import local_today
from tests.finance.factories import make_enrollment
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.factories.finance import plan_as_agreed
from tracker.factories.finance import record_payment
from tracker.finance import services
from tracker.finance.models import LedgerEntry

TRAINEE = "Alex Rivera"
REASON = "Typed $99,999.00 for $999.00; the card was charged $999.00."


def sign_in(window: Person, email: str) -> None:
    """Sign in through the sign-in page."""
    window.open("/account/login")
    window.fill("E-mail address", email)
    window.fill("Password", PASSWORD)
    window.press("Sign in")
    assert "Signed in as" in window.flash()


def on_a_plan(create_user):
    """A trainee whose $4,500.00 tuition is on a plan of four $1,000.00 instalments after a
    $500.00 deposit, three of them paid: $1,000.00 owed, on the last instalment."""
    staff = create_user("staff", email="casey.staff@example.org", name="Casey Staff")
    trainee = create_user("trainee", email="alex.rivera@example.org", name=TRAINEE)
    enrollment = make_enrollment(trainee)
    today = local_today()
    services.charge_tuition(enrollment.id, staff)
    record_payment(enrollment, 50_000, "Deposit", today - timedelta(days=100), "card", "D-1", staff)
    plan_as_agreed(
        enrollment,
        staff,
        [(today + timedelta(days=days), 100_000) for days in (-90, -60, -30, 30)],
    )
    for n, days in enumerate((-90, -60, -30), start=1):
        on = today + timedelta(days=days)
        record_payment(enrollment, 100_000, f"Instalment {n}", on, "card", f"AUTH {n}", staff)
    db.session.commit()
    return staff, trainee, enrollment


def record_the_mistyped_payment(window: Person) -> None:
    """Type $99,999.00, read the difference, confirm it (the mistake)."""
    part = window.expand("Record a payment")
    window.fill("Amount (US dollars)", "99,999.00", within=part)
    window.fill("Description", "Instalment 4", within=part)
    window.select("Method", "Card", within=part)
    window.fill("Reference (optional)", "AUTH 4", within=part)
    window.press("Record a payment", within=part)
    text = window.main_text()
    assert "This payment of $99,999.00 is $98,999.00 more than the balance owed ($1,000.00)" in text
    assert "Every instalment paid" not in text  # nothing was stored
    part = window.page.locator("details[open]", has=window.page.locator("#payment-amount"))
    window.tick("Yes, this amount is right: record the overpayment", within=part)
    window.press("Record a payment", within=part)
    assert "Payment of $99,999.00 recorded" in window.flash()
    text = window.main_text()
    assert "Every instalment paid" in text and "$98,999.00 in credit" in text


def void_it(window: Person, entry_id: int) -> None:
    """Void the payment: a short reason is refused, then the real one is taken."""
    window.follow(f"Void entry no. {entry_id}")
    assert f"Void entry no. {entry_id}" in window.main_text()
    window.fill("Reason for the void", "Typo.")
    window.press(f"Void entry no. {entry_id}")
    assert "Give the reason in at least 10 characters" in window.main_text()
    window.fill("Reason for the void", REASON)
    window.press(f"Void entry no. {entry_id}")
    assert f"Entry no. {entry_id} is void" in window.flash()


def test_the_mistyped_payment_voided(app, create_user, person, accessibility, runner):
    staff_user, trainee_user, _ = on_a_plan(create_user)
    staff, trainee = person(), person()

    sign_in(staff, staff_user.email)
    staff.follow("Ledgers", exact=True)
    staff.follow(TRAINEE, exact=True)
    assert "1 instalment owed" in staff.main_text()
    record_the_mistyped_payment(staff)

    db.session.rollback()  # read what the pages committed
    typo = db.session.scalar(select(LedgerEntry).where(LedgerEntry.amount_cents == 9_999_900))
    void_it(staff, typo.id)
    text = staff.main_text()
    assert "1 instalment owed" in text
    assert "$1,000.00 owed" in text and "$3,500.00 paid" in text
    row = staff.page.locator(f"#entry-{typo.id}").inner_text()
    assert "VOID" in row and "Casey Staff" in row and REASON in row
    statuses = staff.page.locator("table", has_text="Due on").locator("tbody tr").all_inner_texts()
    assert [line.split("\t")[-1].strip() for line in statuses] == ["paid", "paid", "paid", "due"]

    staff.follow(f"Receipt {typo.id}")
    assert "This receipt is void" in staff.main_text()

    sign_in(trainee, trainee_user.email)
    trainee.follow("Ledger", exact=True)
    text = trainee.main_text()
    assert "1 instalment owed" in text and "VOID" in text and REASON in text
    assert "Void entry" not in text

    db.session.rollback()
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.after, AuditEvent.actor_id)
        .where(AuditEvent.object_type == "ledger_entries")
        .order_by(AuditEvent.id.desc())
        .limit(2)
    ).all()
    (voided_action, voided_after, voided_by), (added_action, added_after, _) = events
    assert (added_action, json.loads(added_after)["amount_cents"]) == (
        "ledger.entry_added",
        9_999_900,
    )
    assert voided_action == "ledger.entry_voided" and voided_by == staff_user.id
    assert json.loads(voided_after)["voids_id"] == typo.id
    assert json.loads(voided_after)["reason"] == REASON
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    accessibility.assert_clean()
