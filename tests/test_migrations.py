"""The migrations are the schema: they go down to nothing and up again, and then match the models
exactly. The audit trail's append-only triggers come with them on both databases."""

from __future__ import annotations

import logging

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.audit.insider import plain_hash
from tests.conftest import is_postgres
from tracker.audit.models import AuditEvent
from tracker.audit.services import record
from tracker.audit.services import verify_chain
from tracker.extensions import db
from tracker.extensions import utcnow


def _flask_db(runner, *args: str):
    """Run `flask db <args>` against the test app."""
    return runner.invoke(args=["db", *args])


def _head(app) -> str:
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"the migrations have several heads: {heads}"
    return heads[0]


def _current() -> str | None:
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_downgrade_to_base_then_upgrade_then_check(app, runner, caplog):
    caplog.set_level(logging.INFO)
    head = _head(app)
    db.session.remove()
    try:
        down = _flask_db(runner, "downgrade", "base")
        assert down.exit_code == 0, caplog.text + down.output
        with db.engine.connect() as connection:
            left = set(inspect(connection).get_table_names()) - {"alembic_version"}
        assert left == set(), f"downgrade left tables behind: {sorted(left)}"
        assert _current() is None
    finally:
        # Whatever happened, leave the database at head for the tests that follow.
        up = _flask_db(runner, "upgrade")
    assert up.exit_code == 0, caplog.text + up.output
    assert _current() == head
    caplog.clear()
    check = _flask_db(runner, "check")
    assert check.exit_code == 0, f"models and migrations differ: {caplog.text}{check.output}"


def test_the_migrated_schema_accepts_the_first_audit_event(app):
    """The upgrade seeds the chain head, so the first event links to the genesis hash."""
    record("test.migrated", object_type="system")
    db.session.commit()
    assert verify_chain() == (1, None)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'account.tampered'",
        "UPDATE audit_events SET after = NULL WHERE id = 1",
        "DELETE FROM audit_events WHERE id = 1",
        "DELETE FROM audit_events",
        *(["TRUNCATE audit_events"] if is_postgres() else []),
    ],
)
def test_the_audit_trail_refuses_update_and_delete(app, statement):
    record("test.first", object_type="system", after={"n": 1})
    record("test.second", object_type="system", after={"n": 2})
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["test.first", "test.second"]
    assert verify_chain() == (2, None)


def test_events_from_before_the_audit_keys_verify_after_the_upgrade(app, runner, caplog):
    """Revision 20261129_09 adds the key ids and recomputes nothing: the unkeyed events already
    recorded verify (up to AUDIT_LEGACY_LAST_ID), and the events after them are keyed."""
    caplog.set_level(logging.INFO)
    db.session.remove()
    try:
        down = _flask_db(runner, "downgrade", "20261127_08")
        assert down.exit_code == 0, caplog.text + down.output
        previous = "0" * 64
        for number in (1, 2):
            row = {
                "id": number,
                "occurred_at": utcnow(),
                "actor_id": None,
                "subject_user_id": None,
                "action": "test.before_keys",
                "object_type": "system",
                "object_id": None,
                "before": None,
                "after": None,
                "request_id": None,
                "prev_hash": previous,
            }
            row["hash"] = plain_hash(row)
            db.session.execute(
                text(
                    "INSERT INTO audit_events (id, occurred_at, action, object_type, prev_hash, "
                    "hash) VALUES (:id, :occurred_at, :action, :object_type, :prev_hash, :hash)"
                ),
                row,
            )
            previous = row["hash"]
        db.session.execute(
            text("UPDATE audit_head SET last_id = 2, last_hash = :h"), {"h": previous}
        )
        db.session.commit()
        db.session.remove()
    finally:
        up = _flask_db(runner, "upgrade")
    assert up.exit_code == 0, caplog.text + up.output
    record("test.after_keys", object_type="system")
    db.session.commit()
    assert verify_chain()[1] is not None  # unkeyed events are not taken on trust by default
    app.config["AUDIT_LEGACY_LAST_ID"] = 2
    assert verify_chain() == (3, None)
    keys = db.session.scalars(select(AuditEvent.key_id).order_by(AuditEvent.id)).all()
    assert keys == [None, None, "test"]
