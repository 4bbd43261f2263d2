"""Guessing is limited per account, in the database: five failures within fifteen minutes lock
the account for fifteen minutes, whichever address or worker the attempts come from."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.accounts.conftest import reload
from tests.conftest import PASSWORD, post_form
from tracker.accounts.models import User
from tracker.accounts.passwords import hash_password
from tracker.extensions import db

LOGIN = "/account/login"
WRONG = "a wrong guess at the password"
LOCKED = "Too many failed sign-ins for this account."


def _attempt(client, email: str, password: str, address: str = "198.51.100.7"):
    return post_form(
        client,
        LOGIN,
        {"email": email, "password": password},
        headers={"X-Forwarded-For": address},
        environ_base={"REMOTE_ADDR": address},
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"] == "/home"


def test_five_failures_lock_even_the_right_password(client, create_user):
    user = create_user("trainee")
    for attempt in range(5):
        response = _attempt(client, user.email, WRONG, f"203.0.113.{attempt}")
        assert response.status_code == 200
        assert "E-mail or password is not correct." in response.get_data(as_text=True)
    refused = _attempt(client, user.email, PASSWORD, "192.0.2.99")
    assert refused.status_code == 200
    assert LOCKED in refused.get_data(as_text=True)
    assert client.get("/account/sessions").status_code == 302
    stored = reload(user)
    assert stored.failed_logins == 5
    assert stored.locked_until is not None


def test_four_failures_do_not_lock(client, create_user):
    user = create_user("trainee")
    for _ in range(4):
        _attempt(client, user.email, WRONG)
    assert _signed_in(_attempt(client, user.email, PASSWORD))
    assert reload(user).failed_logins == 0


def test_a_success_starts_the_count_again(app, client, create_user):
    user = create_user("trainee")
    for _ in range(4):
        _attempt(client, user.email, WRONG)
    assert _signed_in(_attempt(client, user.email, PASSWORD))
    fresh = app.test_client()
    for _ in range(4):
        _attempt(fresh, user.email, WRONG)
    assert _signed_in(_attempt(fresh, user.email, PASSWORD))


def test_a_locked_account_does_not_lock_another(client, create_user):
    victim = create_user("trainee")
    other = create_user("trainee")
    for _ in range(5):
        _attempt(client, victim.email, WRONG)
    assert _signed_in(_attempt(client, other.email, PASSWORD))


def test_failures_count_across_workers_on_one_database(make_app):
    """Two app instances on one database stand for two gunicorn workers."""
    first, second = make_app(), make_app()
    with first.app_context():
        user = User(
            email="worker@example.org",
            full_name="Worker Test",
            password_hash=hash_password(PASSWORD),
            is_trainee=True,
        )
        db.session.add(user)
        db.session.commit()
        email = user.email
    clients = [first.test_client(), second.test_client()]
    for attempt in range(5):
        response = _attempt(clients[attempt % 2], email, WRONG, f"203.0.113.{attempt + 10}")
        assert response.status_code == 200
    for client in clients:
        refused = _attempt(client, email, PASSWORD, "192.0.2.50")
        assert LOCKED in refused.get_data(as_text=True)
        assert client.get("/account/sessions").status_code == 302
    with second.app_context():
        stored = db.session.scalar(select(User).where(User.email == email))
        assert stored.failed_logins == 5
        assert stored.locked_until is not None


def test_the_lock_ends_after_the_lock_time(client, create_user, clock):
    user = create_user("trainee")
    for _ in range(5):
        _attempt(client, user.email, WRONG)
    clock.advance(minutes=14)
    assert LOCKED in _attempt(client, user.email, PASSWORD).get_data(as_text=True)
    clock.advance(minutes=1, seconds=1)
    assert _signed_in(_attempt(client, user.email, PASSWORD))
    stored = reload(user)
    assert stored.failed_logins == 0
    assert stored.locked_until is None


def test_attempts_while_locked_do_not_extend_the_lock(client, create_user, clock):
    user = create_user("trainee")
    for _ in range(5):
        _attempt(client, user.email, WRONG)
    locked_until = reload(user).locked_until
    clock.advance(minutes=10)
    _attempt(client, user.email, WRONG)
    assert reload(user).locked_until == locked_until


def test_old_failures_fall_out_of_the_window(client, create_user, clock):
    user = create_user("trainee")
    for _ in range(4):
        _attempt(client, user.email, WRONG)
    clock.advance(minutes=16)
    _attempt(client, user.email, WRONG)
    assert reload(user).failed_logins == 1
    assert _signed_in(_attempt(client, user.email, PASSWORD))


@pytest.mark.parametrize("limit", [3])
def test_the_limit_is_configurable(make_app, limit):
    app = make_app(LOGIN_MAX_FAILURES=limit)
    with app.app_context():
        user = User(
            email="limit@example.org",
            full_name="Limit Test",
            password_hash=hash_password(PASSWORD),
            is_trainee=True,
        )
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    for _ in range(limit):
        _attempt(client, "limit@example.org", WRONG)
    assert LOCKED in _attempt(client, "limit@example.org", PASSWORD).get_data(as_text=True)
