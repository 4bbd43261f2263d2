"""Ledger entries are append-only in the database itself: UPDATE and DELETE are refused."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tracker.extensions import db
from tracker.finance import services


@pytest.mark.parametrize(
    "statement",
    ["UPDATE ledger_entries SET amount_cents = 1", "DELETE FROM ledger_entries"],
)
def test_entries_cannot_be_changed(app, enrollment, staff, statement):
    services.charge_tuition(enrollment.id, staff)
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    amount = db.session.scalar(text("SELECT amount_cents FROM ledger_entries"))
    assert amount == 450_000
