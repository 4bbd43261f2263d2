"""The audit trail: chained, append-only, verifiable, and browsable by staff."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.conftest import is_postgres
from tracker.audit.services import record
from tracker.audit.services import verify_chain
from tracker.extensions import db


def _events(n: int) -> None:
    for i in range(n):
        record("test.event", object_type="thing", object_id=i, after={"i": i})
    db.session.commit()


def test_chain_verifies_when_untouched(app, runner):
    _events(5)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "intact: 5 event(s)" in result.output


def test_update_and_delete_are_refused_by_the_database(app):
    _events(2)
    for statement in (
        "UPDATE audit_events SET action = 'x' WHERE id = 1",
        "DELETE FROM audit_events WHERE id = 2",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert verify_chain()[1] is None


def _behind_the_apps_back(statement: str) -> None:
    """Change a row the way an intruder with database access would: triggers out of the way."""
    if is_postgres():
        db.session.execute(text("SET session_replication_role = replica"))
        db.session.execute(text(statement))
        db.session.execute(text("SET session_replication_role = DEFAULT"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))
        db.session.execute(text(statement))
    db.session.commit()


def test_verify_names_the_changed_event(app, runner):
    _events(5)
    _behind_the_apps_back("UPDATE audit_events SET object_id = '99' WHERE id = 3")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "event 3" in result.output
    assert "changed" in result.output


def test_verify_names_a_removed_event(app, runner):
    _events(5)
    _behind_the_apps_back("DELETE FROM audit_events WHERE id = 2")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "event 2" in result.output


def test_verify_notices_the_latest_events_cut_off(app, runner):
    _events(4)
    _behind_the_apps_back("DELETE FROM audit_events WHERE id = 4")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "event 4" in result.output


def test_staff_browse_by_trainee_and_actor(client, create_user, auth):
    staff = create_user("staff", email="staff@example.org")
    trainee = create_user("trainee", email="t@example.org", name="Terry Trainee")
    other = create_user("trainee", email="o@example.org", name="Olive Other")
    record(
        "entry.logged",
        object_type="entry",
        object_id=1,
        actor_id=trainee.id,
        subject_user_id=trainee.id,
    )
    record(
        "entry.logged",
        object_type="entry",
        object_id=2,
        actor_id=other.id,
        subject_user_id=other.id,
    )
    db.session.commit()
    auth.login(staff)
    page = client.get("/audit/?trainee=t@example.org").get_data(as_text=True)
    assert "Terry Trainee" in page
    assert "Olive Other" not in page
    page = client.get("/audit/?actor=o@example.org").get_data(as_text=True)
    assert "Olive Other" in page
    assert "Terry Trainee" not in page
    page = client.get("/audit/?since=not-a-date&trainee=nobody@example.org").get_data(as_text=True)
    assert "No account has the e-mail address" in page


def test_trainee_cannot_browse(client, create_user, auth):
    auth.login(create_user("trainee"))
    assert client.get("/audit/").status_code == 403
