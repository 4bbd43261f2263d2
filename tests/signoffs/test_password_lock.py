"""The password asked at signing is the sign-in password, under the same limit: wrong passwords
at the Sign button count toward the account's sign-in lock, and a locked account can neither
sign nor sign in until the lock ends."""

from __future__ import annotations

from tests.accounts.conftest import REFUSED
from tests.conftest import PASSWORD
from tests.conftest import login
from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_session
from tests.training.factories import count
from tracker.accounts.models import User
from tracker.extensions import db
from tracker.signoffs.models import Signature
from tracker.supervision.models import SupervisedSession

WRONG = "a wrong guess at the password"
LOCKED = (
    "Your password was entered wrongly 5 times, so this account is locked for 15 minutes: you "
    "cannot sign or sign in until then. Resetting your password lifts the lock."
)


def _sign(client, key: str, password: str) -> str:
    """Press Sign for `key` with `password`; the text of the page it leads to."""
    response = post_form(client, "/signoffs/sign", sign_form(key, password=password))
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _sign_in(app, user: User, password: str):
    return post_form(
        app.test_client(), "/account/login", {"email": user.email, "password": password}
    )


def _stored(user: User) -> User:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_wrong_signing_passwords_lock_the_account(app, as_user, enrollment, supervisor):
    key = f"session:{waiting_session(enrollment, supervisor).id}"
    client = as_user(supervisor)
    for _ in range(5):
        assert "That password is not correct" in _sign(client, key, WRONG)
    assert _stored(supervisor).locked_until is not None
    page = _sign(client, key, PASSWORD)
    assert LOCKED in page
    assert count(Signature) == 0
    db.session.expire_all()
    assert db.session.get(SupervisedSession, int(key.split(":")[1])).status == "submitted"
    # Sign-in is locked as well, with the message that tells nobody which accounts exist.
    refused = _sign_in(app, supervisor, PASSWORD)
    assert refused.status_code == 200
    assert REFUSED in refused.get_data(as_text=True)


def test_sign_in_and_signing_failures_add_up(app, as_user, enrollment, supervisor):
    key = f"session:{waiting_session(enrollment, supervisor).id}"
    client = as_user(supervisor)
    for _ in range(3):
        _sign_in(app, supervisor, WRONG)
    for _ in range(2):
        _sign(client, key, WRONG)
    assert LOCKED in _sign(client, key, PASSWORD)
    assert count(Signature) == 0
    assert _stored(supervisor).failed_logins == 5


def test_a_right_signing_password_clears_the_count(app, as_user, enrollment, supervisor):
    key = f"session:{waiting_session(enrollment, supervisor).id}"
    client = as_user(supervisor)
    for _ in range(4):
        _sign_in(app, supervisor, WRONG)
    assert "Signed 1 entry." in _sign(client, key, PASSWORD)
    assert _stored(supervisor).failed_logins == 0
    for _ in range(4):
        _sign_in(app, supervisor, WRONG)
    login(app.test_client(), supervisor)


def test_a_refused_signature_with_the_right_password_is_no_failure(
    app, as_user, enrollment, supervisor
):
    """The signature is refused and its work undone, but the password was right: it counts as
    no failure, however often it happens."""
    draft = waiting_session(enrollment, supervisor)
    draft.status = "draft"
    db.session.commit()
    key = f"session:{draft.id}"
    client = as_user(supervisor)
    for _ in range(6):
        page = _sign(client, key, PASSWORD)
        assert "Nothing was signed" in page
        assert LOCKED not in page
    assert count(Signature) == 0
    assert _stored(supervisor).failed_logins == 0
    login(app.test_client(), supervisor)
