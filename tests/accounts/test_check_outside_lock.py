"""The argon2 check of a sign-in or a signature runs outside any write transaction: on SQLite a
writing request's transaction holds the database's one write lock, so a check inside it kept
every other writer waiting for as long as the hash took (the start-up burst of sign-ins queued
behind each other's hashes). The failure limit still counts every attempt exactly."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy import update

from tests.accounts.conftest import reload
from tests.conftest import PASSWORD
from tests.conftest import is_postgres
from tests.conftest import post_form
from tracker.accounts import services
from tracker.accounts.models import User
from tracker.accounts.passwords import hash_password
from tracker.extensions import db
from tracker.signoffs.services import check_password

WAIT = 20  # seconds: generous, the test never waits this long when it passes


def _write_meanwhile(app, user_id: int) -> None:
    """Write to the checked account's own row from another connection, giving up after half a
    second instead of waiting for a lock (SQLite's busy timeout, PostgreSQL's lock timeout)."""
    with app.app_context(), db.engine.connect() as connection:
        if is_postgres():
            connection.execute(text("SET lock_timeout = '500ms'"))
        else:
            connection.exec_driver_sql("PRAGMA busy_timeout=500")
        connection.execute(update(User).where(User.id == user_id).values(job_title="Meanwhile"))
        connection.commit()
        if not is_postgres():
            connection.exec_driver_sql("PRAGMA busy_timeout=10000")


def _sign_in(app, client, user: User) -> Callable[[], object]:
    email = user.email

    def act():
        response = post_form(client, "/account/login", {"email": email, "password": PASSWORD})
        return response.status_code, response.headers.get("Location")

    return act


def _signature_check(app, client, user: User) -> Callable[[], object]:
    user_id = user.id

    def act():
        # A POST request's transaction is a writer's (BEGIN IMMEDIATE on SQLite), as the Sign
        # button's request is.
        with app.test_request_context("/sign", method="POST"):
            check_password(db.session.get(User, user_id), PASSWORD)
            db.session.commit()
        return "checked"

    return act


@pytest.mark.parametrize(
    ("make_act", "expected"),
    [(_sign_in, (302, "/home")), (_signature_check, "checked")],
    ids=["sign-in", "signature"],
)
def test_another_request_writes_while_the_password_is_checked(
    app, client, create_user, monkeypatch, make_act, expected
):
    user = create_user("supervisor")
    user_id = user.id
    inside = threading.Event()
    release = threading.Event()
    real_verify = services.verify_password

    def blocking(stored, password):
        inside.set()
        release.wait(WAIT)
        return real_verify(stored, password)

    monkeypatch.setattr(services, "verify_password", blocking)
    act = make_act(app, client, user)
    db.session.remove()
    outcome: list[object] = []

    def run():
        try:
            outcome.append(act())
        except Exception as error:  # reported by the assert below
            outcome.append(repr(error))

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert inside.wait(WAIT), "the password check never started"
        _write_meanwhile(app, user_id)  # raises "database is locked" if the check holds it
    finally:
        release.set()
        thread.join(WAIT)
    assert outcome == [expected]
    stored = reload(user)
    assert stored.job_title == "Meanwhile"
    assert stored.failed_logins == 0


def test_a_wrong_password_is_counted_before_it_is_checked(app, create_user, monkeypatch):
    """The attempt is committed before the hash is computed: a guess that is still being checked
    already counts, so parallel guesses never get past the limit."""
    user = create_user("trainee")
    seen: list[int] = []
    real_verify = services.verify_password

    def looking(stored, password):
        with app.app_context(), db.engine.connect() as connection:
            seen.append(
                connection.execute(
                    text("SELECT failed_logins FROM users WHERE id = :id"), {"id": user.id}
                ).scalar_one()
            )
        return real_verify(stored, password)

    monkeypatch.setattr(services, "verify_password", looking)
    assert services.check_password_counted(user, "a wrong guess") is services.PasswordCheck.WRONG
    assert services.check_password_counted(user, PASSWORD) is services.PasswordCheck.RIGHT
    assert seen == [1, 2]
    assert reload(user).failed_logins == 0


def test_failures_counted_during_a_right_check_keep_counting(app, create_user, monkeypatch):
    """Guesses counted while a right password is being checked are not wiped by its success:
    they count as if they came after it, and one more failure then locks the account."""
    user = create_user("trainee")
    user_id = user.id
    real_verify = services.verify_password
    guesses = {"left": 4}

    def guessing_meanwhile(stored, password):
        if password == PASSWORD:
            while guesses["left"]:
                guesses["left"] -= 1
                with app.app_context():
                    assert (
                        services.check_password_counted(db.session.get(User, user_id), "wrong")
                        is services.PasswordCheck.WRONG
                    )
                    db.session.remove()
        return real_verify(stored, password)

    monkeypatch.setattr(services, "verify_password", guessing_meanwhile)
    assert services.check_password_counted(user, PASSWORD) is services.PasswordCheck.RIGHT
    stored = reload(user)
    assert (stored.failed_logins, stored.locked_until) == (4, None)
    assert services.check_password_counted(stored, "wrong") is services.PasswordCheck.WRONG
    stored = reload(user)
    assert stored.failed_logins == 5
    assert stored.locked_until is not None


def test_a_password_changed_during_its_check_is_no_longer_right(app, create_user, monkeypatch):
    """A reset between the count and the end of the check: the old password does not sign in."""
    user = create_user("trainee")
    user_id = user.id
    real_verify = services.verify_password

    def reset_meanwhile(stored, password):
        with app.app_context(), db.engine.connect() as connection:
            connection.execute(
                update(User)
                .where(User.id == user_id)
                .values(password_hash=hash_password("a brand new passphrase here"))
            )
            connection.commit()
        return real_verify(stored, password)

    monkeypatch.setattr(services, "verify_password", reset_meanwhile)
    assert services.check_password_counted(user, PASSWORD) is services.PasswordCheck.WRONG
    assert reload(user).failed_logins == 1
