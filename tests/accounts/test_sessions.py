"""Server-side sessions end after 30 idle minutes and 12 hours in all, whatever the cookie says."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy import select

from tests.conftest import is_postgres
from tracker.accounts.models import LoginSession
from tracker.extensions import db


def _signed_out(response) -> bool:
    return response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_idle_session_ends_after_thirty_minutes(client, create_user, auth, clock):
    user = create_user("trainee")
    auth.login(user)
    clock.advance(minutes=29)
    assert client.get("/account/sessions").status_code == 200
    clock.advance(minutes=29)  # activity above moved the idle limit on
    assert client.get("/account/sessions").status_code == 200
    clock.advance(minutes=30, seconds=5)
    assert _signed_out(client.get("/account/sessions"))


def test_idle_limit_without_any_activity(client, create_user, auth, clock):
    user = create_user("trainee")
    auth.login(user)
    clock.advance(minutes=31)
    assert _signed_out(client.get("/account/sessions"))


def test_absolute_limit_ends_even_an_active_session(client, create_user, auth, clock):
    user = create_user("trainee")
    auth.login(user)
    elapsed = 0
    while elapsed + 25 < 12 * 60:
        clock.advance(minutes=25)
        elapsed += 25
        assert client.get("/account/sessions").status_code == 200, (
            f"refused after {elapsed} minutes"
        )
    clock.advance(minutes=25)
    assert _signed_out(client.get("/account/sessions"))


def test_last_seen_is_not_written_on_every_request(client, create_user, auth, clock):
    user = create_user("trainee")
    auth.login(user)
    client.get("/account/sessions")
    db.session.rollback()
    first = db.session.scalar(select(LoginSession.last_seen_at))
    clock.advance(seconds=30)
    client.get("/account/sessions")
    db.session.rollback()
    assert db.session.scalar(select(LoginSession.last_seen_at)) == first
    clock.advance(minutes=2)
    client.get("/account/sessions")
    db.session.rollback()
    assert db.session.scalar(select(LoginSession.last_seen_at)) > first


@pytest.mark.skipif(is_postgres(), reason="SQLite's read-to-write upgrade; PostgreSQL has none")
def test_last_seen_is_written_when_another_worker_wrote_meanwhile(client, create_user, auth, clock):
    """A page read whose session needs its last-seen time written still answers when another
    worker committed a write after the page's read began (SQLite would refuse the upgrade of
    that read at once, "database is locked", and the person got an error page)."""
    user = create_user("trainee")
    auth.login(user)
    db.session.rollback()  # the test client shares this session: end the sign-in's transaction
    clock.advance(minutes=2)
    path, user_id = db.engine.url.database, user.id
    written, updated = [], []

    def another_worker_writes(_conn, _cursor, statement, *_args) -> None:
        # After every read of the session until the write: no read may come between them.
        if statement.startswith("UPDATE login_sessions"):
            updated.append(statement)
        if updated or not statement.startswith("SELECT") or "FROM login_sessions" not in statement:
            return
        other = sqlite3.connect(path, timeout=5)
        with other:
            # Another worker counts a failed sign-in of this account: a real change (one that
            # changes nothing leaves the page's read current).
            other.execute(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?", (user_id,)
            )
        other.close()
        written.append(statement)

    event.listen(db.engine, "after_cursor_execute", another_worker_writes)
    try:
        response = client.get("/account/sessions")
    finally:
        event.remove(db.engine, "after_cursor_execute", another_worker_writes)
    assert written and updated
    assert response.status_code == 200
    db.session.rollback()
    assert db.session.scalar(select(LoginSession.last_seen_at)) == clock.now
