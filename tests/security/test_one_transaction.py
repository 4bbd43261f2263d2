"""A request is one transaction: reading who is signed in (which refreshes the session's
last-seen time) never commits a view's half-done work, and mail goes out only once the
request's work is committed."""

from __future__ import annotations

from datetime import timedelta

from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.security.conftest import Boom
from tracker.accounts import services
from tracker.accounts.models import User
from tracker.core.transaction import after_commit
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.security.access import Anyone
from tracker.security.access import allow


def test_a_failing_request_saves_nothing_even_when_the_session_is_refreshed(make_app, monkeypatch):
    app = make_app()

    @app.post("/write-then-fail")
    @allow(Anyone)
    def write_then_fail():
        db.session.add(User(email="half.done@example.org", full_name="Half Done"))
        db.session.flush()
        _ = current_user.is_authenticated  # the first look at who is signed in
        raise Boom("after a write")

    with app.app_context():
        user = User(email="signed.in@example.org", full_name="Signed In", password_hash="x")
        db.session.add(user)
        db.session.commit()
        token = services.start_session(user)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    form_token = csrf_token(client)
    # Two minutes later the session's last-seen time is due for its refresh.
    later = utcnow() + timedelta(minutes=2)
    monkeypatch.setattr("tracker.accounts.services.utcnow", lambda: later)
    response = client.post("/write-then-fail", data={"csrf_token": form_token})
    assert response.status_code == 500
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(User).where(User.email == "half.done@example.org")
        )
    assert count == 0


def test_a_request_commits_once_and_sends_its_mail_only_after_the_commit(make_app):
    app = make_app()
    sent: list[int] = []

    @app.post("/write-and-mail")
    @allow(Anyone)
    def write_and_mail():
        db.session.add(User(email="kept@example.org", full_name="Kept"))
        after_commit(lambda: sent.append(_count("kept@example.org")))
        return "done"

    @app.post("/write-mail-then-fail")
    @allow(Anyone)
    def write_mail_then_fail():
        db.session.add(User(email="dropped@example.org", full_name="Dropped"))
        after_commit(lambda: sent.append(-1))
        raise Boom("after a write")

    client = app.test_client()
    token = csrf_token(client)
    assert client.post("/write-mail-then-fail", data={"csrf_token": token}).status_code == 500
    assert client.post("/write-and-mail", data={"csrf_token": token}).status_code == 200
    # The mail went out once, after the row was committed; the failed request neither kept
    # its row nor sent its mail.
    assert sent == [1]
    with app.app_context():
        assert _count("dropped@example.org") == 0


def _count(email: str) -> int:
    """Rows with `email` as another connection sees them: only what is committed."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(User).where(User.email == email))
