"""Guessing is limited per account, in the database: five failures within fifteen minutes lock
the account for fifteen minutes, whichever address or worker the attempts come from. A locked
account answers exactly as a wrong password or an unknown address does, so the sign-in form
tells nobody which accounts exist."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from tests.accounts.conftest import REFUSED
from tests.accounts.conftest import reload
from tests.conftest import PASSWORD
from tests.conftest import is_postgres
from tests.conftest import post_form
from tracker.accounts import services
from tracker.accounts.models import User
from tracker.accounts.passwords import hash_password
from tracker.core.errors import Refused
from tracker.extensions import db

LOGIN = "/account/login"
WRONG = "a wrong guess at the password"
_ALERT = re.compile(r'<div class="alert alert-danger"[^>]*>([^<]*)</div>')


def _alerts(response) -> list[str]:
    return _ALERT.findall(response.get_data(as_text=True))


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
        assert _alerts(response) == [REFUSED]
    refused = _attempt(client, user.email, PASSWORD, "192.0.2.99")
    assert refused.status_code == 200
    assert _alerts(refused) == [REFUSED]
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
        assert _alerts(refused) == [REFUSED]
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
    still_locked = _attempt(client, user.email, PASSWORD)
    assert not _signed_in(still_locked)
    assert _alerts(still_locked) == [REFUSED]
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
    refused = _attempt(client, "limit@example.org", PASSWORD)
    assert not _signed_in(refused)
    assert _alerts(refused) == [
        "The e-mail or password is not correct, or sign-in is paused for 15 minutes after "
        f"{limit} failed attempts. You can reset your password."
    ]


def test_an_unknown_address_answers_as_a_locked_account_does(client, create_user):
    """Six tries at a real account (the last locked out) and six at an address with no
    account give the same pages, message for message: nothing shows the account exists."""
    user = create_user("trainee", email="real.person@example.org")
    real = [_attempt(client, user.email, WRONG) for _ in range(5)]
    real.append(_attempt(client, user.email, PASSWORD))
    unknown = [_attempt(client, "no.such.person@example.org", WRONG) for _ in range(6)]
    assert [r.status_code for r in real] == [r.status_code for r in unknown] == [200] * 6
    assert [_alerts(r) for r in real] == [_alerts(r) for r in unknown] == [[REFUSED]] * 6
    assert reload(user).locked_until is not None


def test_a_locked_account_costs_a_password_check_like_an_unknown_one(
    client, create_user, monkeypatch
):
    """The answer's timing does not tell a locked account from an unknown address either: both
    pay for one password hash."""
    user = create_user("trainee")
    for _ in range(5):
        _attempt(client, user.email, WRONG)
    checks = []
    real_verify = services.verify_password

    def counting(stored, password):
        checks.append(stored)
        return real_verify(stored, password)

    monkeypatch.setattr(services, "verify_password", counting)
    _attempt(client, user.email, PASSWORD)
    _attempt(client, "no.such.person@example.org", PASSWORD)
    assert len(checks) == 2
    assert checks == [None, None]  # both against the dummy hash, never the real one


GUESSERS = 10
ROUNDS = 5


@pytest.mark.skipif(
    not is_postgres(),
    reason="SQLite serialises writers with one database lock, so no two guesses can overlap; "
    "the race is tested on PostgreSQL",
)
def test_parallel_guesses_record_exactly_the_limit(app, create_user, monkeypatch):
    """Ten wrong guesses at once, every one past the account lookup before any is counted: five
    passwords are checked and five failures recorded, the other guesses are refused unchecked,
    and then even the right password is refused. Five rounds, a fresh account each."""
    barrier = threading.Barrier(GUESSERS, timeout=20)
    real_find = services.find_by_email
    real_verify = services.verify_password
    checked: list[str] = []

    def find_then_wait(address: str):
        found = real_find(address)
        barrier.wait()
        return found

    def counting(stored, password):
        if stored is not None:
            checked.append(password)
        return real_verify(stored, password)

    monkeypatch.setattr(services, "verify_password", counting)

    def guess(email: str, outcomes: list[str]) -> None:
        with app.app_context():
            try:
                services.authenticate(email, f"{WRONG} {len(outcomes)}")
                outcomes.append("signed in")
            except Refused as refusal:
                outcomes.append(refusal.message)
            except Exception as error:  # reported by the assert below
                outcomes.append(repr(error))
            finally:
                db.session.rollback()
                db.session.remove()

    for _ in range(ROUNDS):
        user = create_user("trainee")
        email = user.email
        db.session.remove()
        checked.clear()
        outcomes: list[str] = []
        monkeypatch.setattr(services, "find_by_email", find_then_wait)
        threads = [threading.Thread(target=guess, args=(email, outcomes)) for _ in range(GUESSERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes == [REFUSED] * GUESSERS
        assert len(checked) == 5
        stored = reload(user)
        assert stored.failed_logins == 5
        assert stored.locked_until is not None
        monkeypatch.setattr(services, "find_by_email", real_find)
        with pytest.raises(Refused):
            services.authenticate(email, PASSWORD)
        assert len(checked) == 5
        db.session.rollback()
