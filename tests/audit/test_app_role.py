"""The README's database role for the app (PostgreSQL): given the grants exactly as the README
shows them, the app works (the demo loads, events are recorded and verify) while the role is
refused every way round the append-only triggers and every change to the trail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import make_url
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from tests.conftest import PASSWORD
from tests.conftest import is_postgres
from tracker.audit.models import AuditEvent
from tracker.audit.services import record
from tracker.audit.services import verify_chain
from tracker.extensions import db

pytestmark = pytest.mark.skipif(
    not is_postgres(), reason="database roles and privileges are PostgreSQL's"
)

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- app-role-grants"


def readme_grants() -> list[str]:
    """The statements of the README's grants block (the SQL block after its marker)."""
    readme = README.read_text(encoding="utf-8")
    block = re.search(r"```sql\n(.*?)```", readme[readme.index(MARKER) :], re.DOTALL)
    assert block, "the README's grants block is missing"
    return [s.strip() for s in block.group(1).split(";") if s.strip()]


def _drop_role(name: str) -> None:
    db.session.rollback()
    exists = db.session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    if exists:
        db.session.execute(text(f"DROP OWNED BY {name}"))
        db.session.execute(text(f"DROP ROLE {name}"))
    db.session.commit()


@pytest.fixture
def app_role(app: Flask, make_app, database_url: str) -> Iterator[tuple[str, Flask]]:
    """A role made as the README makes `tracker_app` (named after this test database, which
    shares the server with others), and an app whose every connection acts as that role."""
    database = make_url(database_url).database
    name = f"tracker_app_{database}"
    assert re.fullmatch(r"[a-z0-9_]{1,63}", name), name
    _drop_role(name)  # left over from an interrupted run
    db.session.execute(text(f"CREATE ROLE {name} NOLOGIN"))
    for statement in readme_grants():
        db.session.execute(text(re.sub(r"\btracker_app\b", name, statement)))
    db.session.commit()
    url = make_url(database_url).update_query_dict({"options": f"-c role={name}"})
    role_app = make_app(SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False))
    try:
        yield name, role_app
    finally:
        with role_app.app_context():
            db.session.remove()
            db.engine.dispose()
        _drop_role(name)


def test_the_app_works_as_the_app_role(app_role):
    name, role_app = app_role
    with role_app.app_context():
        assert db.session.scalar(text("SELECT current_user")) == name
        result = role_app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
        assert result.exit_code == 0, result.output
        record("test.as_app_role", object_type="system")
        db.session.commit()
        count, broken = verify_chain()
        assert broken is None and count > 1
        checkpoint = role_app.test_cli_runner().invoke(args=["audit", "checkpoint"])
        assert checkpoint.exit_code == 0, checkpoint.output


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("DROP TRIGGER audit_events_no_change ON audit_events", "must be owner"),
        ("ALTER TABLE audit_events DISABLE TRIGGER USER", "must be owner"),
        ("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change", "must be owner"),
        ("DROP FUNCTION audit_events_append_only()", "must be owner"),
        ("DROP TABLE audit_events", "must be owner"),
        ("SET session_replication_role = replica", "permission denied"),
        (
            "CREATE TRIGGER t BEFORE INSERT ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
            "permission denied",
        ),
        ("UPDATE audit_events SET action = 'tampered'", "permission denied"),
        ("DELETE FROM audit_events", "permission denied"),
        ("TRUNCATE audit_events", "permission denied"),
        ("DELETE FROM audit_head", "permission denied"),
        ("DROP TRIGGER ledger_entries_no_change ON ledger_entries", "must be owner"),
        ("UPDATE ledger_entries SET amount_cents = 1", "permission denied"),
    ],
)
def test_the_app_role_is_refused(app_role, statement, refusal):
    _name, role_app = app_role
    with role_app.app_context():
        record("test.before", object_type="system")
        db.session.commit()
        with pytest.raises(ProgrammingError, match=refusal):
            db.session.execute(text(statement))
        db.session.rollback()
        assert db.session.scalars(select(AuditEvent.action)).all() == ["test.before"]
        assert verify_chain() == (1, None)
