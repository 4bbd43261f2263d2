"""Migration 20261130_03 on a database with a ledger: existing entries stay, as ordinary entries,
and stay append-only on the way down and up; going down is refused while a void exists (it
would count as a second entry of its original's kind)."""

from __future__ import annotations

import logging

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.finance.factories import local_today
from tracker.accounts.models import User
from tracker.extensions import db
from tracker.finance import services
from tracker.finance.models import LedgerEntry
from tracker.finance.services import NewEntry

VOIDS = "20261130_03"  # the migration under test


def _before(app) -> str:
    """The revision the voids migration follows (the way down goes through the later ones)."""
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(VOIDS).down_revision


def _head(app) -> str:
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def _flask_db(runner, *args: str):
    return runner.invoke(args=["db", *args])


def _version() -> str:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _ledger(enrollment, staff):
    services.charge_tuition(enrollment.id, staff)
    payment = services.record_entry(
        enrollment.id, NewEntry("payment", 100_000, "Pay", local_today(), "card", "A-1"), staff
    )
    db.session.commit()
    return payment


def _append_only() -> None:
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET amount_cents = 1"))


def test_entries_survive_the_way_down_and_up(app, runner, caplog, enrollment, staff):
    caplog.set_level(logging.INFO)
    payment = _ledger(enrollment, staff)
    enrollment_id, payment_id, staff_id = enrollment.id, payment.id, staff.id
    db.session.remove()
    try:
        down = _flask_db(runner, "downgrade", _before(app))
        assert down.exit_code == 0, caplog.text + down.output
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT kind, amount_cents FROM ledger_entries ORDER BY id")
            ).all()
        assert [tuple(row) for row in rows] == [("charge", 450_000), ("payment", 100_000)]
        _append_only()
    finally:
        up = _flask_db(runner, "upgrade")
    assert up.exit_code == 0, caplog.text + up.output
    assert _version() == _head(app)
    _append_only()
    voids = select(func.count()).where(LedgerEntry.voids_id.is_not(None))
    assert db.session.scalar(voids) == 0
    actor = db.session.get(User, staff_id)
    services.void_entry(enrollment_id, payment_id, "Entered on the wrong ledger.", actor)
    db.session.commit()
    assert db.session.scalar(voids) == 1


def test_going_down_is_refused_while_a_void_exists(app, runner, caplog, enrollment, staff):
    caplog.set_level(logging.INFO)
    payment = _ledger(enrollment, staff)
    services.void_entry(enrollment.id, payment.id, "Entered on the wrong ledger.", staff)
    db.session.commit()
    db.session.remove()
    try:
        down = _flask_db(runner, "downgrade", _before(app))
        assert down.exit_code != 0
        assert "1 ledger entries are voids" in caplog.text + down.output + str(down.exception)
        # The voids stay (PostgreSQL undoes the whole way down; SQLite keeps the later
        # migrations' downgrades, which ran before the refusal).
        assert _version() in (VOIDS, _head(app))
    finally:
        up = _flask_db(runner, "upgrade")
    assert up.exit_code == 0, caplog.text + up.output
