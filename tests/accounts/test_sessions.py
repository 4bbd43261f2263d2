"""Server-side sessions end after 30 idle minutes and 12 hours in all, whatever the cookie says."""

from __future__ import annotations

from sqlalchemy import select

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
