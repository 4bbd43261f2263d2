"""Password reset by e-mail: the same answer whether or not the account exists, and a link that
works once, in time, and ends every session."""

from __future__ import annotations

import logging
import re
import time
from email import message_from_bytes
from email.policy import default

import pytest
from itsdangerous.timed import TimestampSigner

from tests.accounts.conftest import reload
from tests.accounts.conftest import row_counts
from tests.conftest import PASSWORD
from tests.conftest import login
from tests.conftest import post_form
from tracker.accounts.models import User
from tracker.accounts.passwords import verify_password
from tracker.extensions import db
from tracker.jobs.services import run_due

FORGOT = "/account/password/forgot"
NEW_PASSWORD = "violet harbour lanterns drift"
SAME_ANSWER = "If an account exists for that address, a reset link is on its way."
_LINK = re.compile(r"http://localhost(/account/password/reset/\S+)")


def _ask(client, email: str):
    """Ask for a reset link, then let the worker send what the request queued."""
    response = post_form(client, FORGOT, {"email": email}, follow_redirects=True)
    run_due()
    return response


def _link(mail_outbox) -> str:
    assert len(mail_outbox) == 1
    match = _LINK.search(mail_outbox[0].body)
    assert match, mail_outbox[0].body
    return match.group(1)


def _later(monkeypatch: pytest.MonkeyPatch, hours: float) -> None:
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda _self: int(time.time() + hours * 3600)
    )


def test_known_and_unknown_addresses_get_the_same_answer(client, create_user, mail_outbox):
    user = create_user("trainee", email="dana@example.org")
    known = _ask(client, "Dana@Example.org")
    unknown = _ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in known.get_data(as_text=True)
    assert SAME_ANSWER in unknown.get_data(as_text=True)
    assert [message.to for message in mail_outbox] == [user.email]


def test_the_request_queues_the_mail_and_the_worker_sends_it(
    client, create_user, mail_outbox, run_jobs
):
    user = create_user("trainee", email="dana@example.org")
    post_form(client, FORGOT, {"email": user.email})
    assert mail_outbox == []
    assert run_jobs().done == 1
    assert [message.to for message in mail_outbox] == [user.email]


def test_unknown_address_sends_nothing_and_changes_no_account(client, mail_outbox):
    before = row_counts()
    _ask(client, "nobody@example.org")
    assert mail_outbox == []
    assert row_counts() == before


def test_deactivated_account_gets_no_link(client, create_user, mail_outbox):
    user = create_user("trainee", active=False)
    assert SAME_ANSWER in _ask(client, user.email).get_data(as_text=True)
    assert mail_outbox == []


def test_the_link_sets_a_new_password_and_ends_every_session(app, client, create_user, mail_outbox):
    user = create_user("trainee")
    elsewhere = app.test_client()
    login(elsewhere, user)
    _ask(client, user.email)
    link = _link(mail_outbox)
    assert "Choose a new password" in client.get(link).get_data(as_text=True)
    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    stored = reload(user).password_hash
    assert verify_password(stored, NEW_PASSWORD)
    assert not verify_password(stored, PASSWORD)
    # A session opened before the reset (perhaps by whoever knew the old password) is over.
    assert elsewhere.get("/account/sessions").status_code == 302
    refused = post_form(client, "/account/login", {"email": user.email, "password": PASSWORD})
    assert refused.status_code == 200
    login(client, user, NEW_PASSWORD)
    assert client.get("/account/sessions").status_code == 200


def test_the_link_enforces_the_password_policy(client, create_user, mail_outbox):
    user = create_user("trainee")
    _ask(client, user.email)
    link = _link(mail_outbox)
    old = reload(user).password_hash
    before = row_counts()
    for password, field in [
        ("short pass", "password"),
        ("qwertyuiopasdf", "password"),
        ("x" * 129, "password"),
    ]:
        response = post_form(client, link, {"password": password, "confirm": password})
        assert response.status_code == 200
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert row_counts() == before
    assert reload(user).password_hash == old


def test_the_link_works_once(client, create_user, mail_outbox):
    user = create_user("trainee")
    _ask(client, user.email)
    link = _link(mail_outbox)
    post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    stored = reload(user).password_hash
    assert client.get(link).status_code == 400
    other = "a different passphrase entirely"
    assert post_form(client, link, {"password": other, "confirm": other}).status_code == 400
    assert reload(user).password_hash == stored


def test_an_older_link_dies_when_the_password_changes(client, create_user, mail_outbox):
    user = create_user("trainee")
    _ask(client, user.email)
    _ask(client, user.email)
    first, second = (_LINK.search(m.body).group(1) for m in mail_outbox)
    post_form(client, second, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get(first).status_code == 400


def test_an_expired_link_changes_nothing(client, create_user, mail_outbox, monkeypatch):
    user = create_user("trainee")
    _ask(client, user.email)
    link = _link(mail_outbox)
    _later(monkeypatch, hours=1.9)
    assert client.get(link).status_code == 200
    _later(monkeypatch, hours=2.1)
    old = reload(user).password_hash
    before = row_counts()
    page = client.get(link)
    assert page.status_code == 400
    assert "expired" in page.get_data(as_text=True)
    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert row_counts() == before
    assert reload(user).password_hash == old


@pytest.mark.parametrize("how", ["payload", "signature", "invitation-purpose", "garbage"])
def test_a_tampered_link_changes_nothing(client, create_user, mail_outbox, how):
    user = create_user("trainee")
    _ask(client, user.email)
    prefix, token = _link(mail_outbox).rsplit("/", 1)
    if how == "payload":
        token = ("A" if token[0] != "A" else "B") + token[1:]
    elif how == "signature":
        # Not the last character: its low bits are padding that decoding ignores.
        token = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    elif how == "invitation-purpose":
        prefix = "/account/invitation"
    else:
        token = "x" * 600
    tampered = f"{prefix}/{token}"
    old = reload(user).password_hash
    before = row_counts()
    assert client.get(tampered).status_code == 400
    response = post_form(client, tampered, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert "This link cannot be used" in response.get_data(as_text=True)
    assert row_counts() == before
    assert reload(user).password_hash == old


def test_a_reset_lifts_a_sign_in_lock(client, create_user, mail_outbox):
    user = create_user("trainee")
    for _ in range(5):
        post_form(client, "/account/login", {"email": user.email, "password": "wrong guess here"})
    assert reload(user).locked_until is not None
    _ask(client, user.email)
    post_form(client, _link(mail_outbox), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    login(client, user, NEW_PASSWORD)


def test_the_link_does_not_appear_in_the_log(make_app, tmp_path, caplog):
    """The development outbox logs who was mailed, never the one-time link."""
    caplog.set_level(logging.DEBUG)
    app = make_app(MAIL_BACKEND="outbox")
    with app.app_context():
        db.session.add(User(email="dana@example.org", full_name="Dana", password_hash="x"))
        db.session.commit()
    client = app.test_client()
    post_form(client, FORGOT, {"email": "dana@example.org"})
    with app.app_context():
        run_due()
    kept = list((tmp_path / "instance" / "outbox").glob("*.eml"))
    assert len(kept) == 1
    body = message_from_bytes(kept[0].read_bytes(), policy=default).get_content()
    token = _LINK.search(body).group(1).rsplit("/", 1)[1]
    assert len(token) > 40
    assert "mail to dana@example.org" in caplog.text
    assert token not in caplog.text
