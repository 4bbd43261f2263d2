"""A request is one transaction: reading who is signed in (which refreshes the session's
last-seen time) never commits a view's half-done work."""

from __future__ import annotations

from datetime import timedelta

from flask_login import current_user
from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.security.conftest import Boom
from tracker.accounts import services
from tracker.accounts.models import User
from tracker.extensions import db, utcnow
from tracker.security.access import Anyone, allow


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
