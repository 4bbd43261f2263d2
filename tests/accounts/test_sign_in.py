"""Sign-in and sign-out: one message for every bad credential, redirects only within the site,
a new session at sign-in, and sessions that really end."""

from __future__ import annotations

import logging
import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tests.accounts.conftest import REFUSED
from tests.accounts.conftest import reload
from tests.conftest import PASSWORD
from tests.conftest import login
from tests.conftest import post_form
from tracker.accounts import services
from tracker.accounts.models import LoginSession
from tracker.accounts.passwords import needs_rehash
from tracker.accounts.passwords import verify_password
from tracker.extensions import db

LOGIN = "/account/login"
COOKIE = "kap_session"
_ALERT = re.compile(r'<div class="alert alert-danger"[^>]*>([^<]*)</div>')


def _alerts(response) -> list[str]:
    return _ALERT.findall(response.get_data(as_text=True))


def _signed_out(response) -> bool:
    """True when the response sends the visitor to the sign-in page."""
    return response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_wrong_password_and_unknown_account_answer_alike(client, create_user):
    user = create_user("trainee", email="dana@example.org")
    wrong = post_form(client, LOGIN, {"email": user.email, "password": "not the password at all"})
    unknown = post_form(
        client, LOGIN, {"email": "nobody@example.org", "password": "not the password at all"}
    )
    assert wrong.status_code == unknown.status_code == 200
    assert _alerts(wrong) == _alerts(unknown) == [REFUSED]
    assert client.get("/account/sessions").status_code == 302


def test_sign_in_is_case_insensitive_on_the_email(client, create_user):
    create_user("trainee", email="dana@example.org")
    response = post_form(client, LOGIN, {"email": " DANA@Example.org ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/sessions").status_code == 200


def test_next_from_the_sign_in_page_is_followed(client, create_user):
    user = create_user("trainee")
    refused = client.get("/account/sessions")
    assert _signed_out(refused)
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert 'value="/account/sessions"' in page
    response = post_form(
        client, LOGIN, {"email": user.email, "password": PASSWORD, "next": "/account/sessions"}
    )
    assert response.headers["Location"] == "/account/sessions"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/home", "/home"),
        ("/account/sessions?tab=1", "/account/sessions?tab=1"),
        ("https://evil.example", "/home"),
        ("https://evil.example/home", "/home"),
        ("//evil.example", "/home"),
        ("///evil.example", "/home"),
        ("/\\evil.example", "/home"),
        ("\\\\evil.example", "/home"),
        ("/\t/evil.example", "/home"),
        ("javascript:alert(1)", "/home"),
        ("JavaScript:alert(1)", "/home"),
        ("http:evil.example", "/home"),
        ("home", "/home"),
        ("", "/home"),
    ],
)
def test_next_only_leads_within_this_site(client, create_user, target, expected):
    user = create_user("trainee")
    response = post_form(client, LOGIN, {"email": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_session_cookie_changes_at_sign_in(client, create_user):
    user = create_user("trainee")
    client.get(LOGIN)
    before = client.get_cookie(COOKIE)
    assert before is not None
    login(client, user)
    after = client.get_cookie(COOKIE)
    assert after is not None
    assert after.value != before.value


def test_old_cookie_replayed_after_sign_out_gives_no_access(app, client, create_user, auth):
    user = create_user("trainee")
    auth.login(user)
    assert client.get("/account/sessions").status_code == 200
    stolen = client.get_cookie(COOKIE).value
    response = auth.logout()
    assert _signed_out(response)
    assert _signed_out(client.get("/account/sessions"))
    # The copied cookie, replayed by the same browser or by another one, opens nothing.
    client.set_cookie(COOKIE, stolen)
    assert _signed_out(client.get("/account/sessions"))
    other = app.test_client()
    other.set_cookie(COOKIE, stolen)
    assert _signed_out(other.get("/account/sessions"))
    assert other.post("/account/logout-everywhere").status_code in (400, 401)
    db.session.rollback()
    row = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert row.revoked_at is not None


def test_a_made_up_cookie_gives_no_access(client):
    client.set_cookie(COOKIE, "eyJfdXNlcl9pZCI6IjEifQ.forged.signature")
    assert _signed_out(client.get("/account/sessions"))


def test_sign_out_everywhere_ends_the_other_clients_sessions(app, client, create_user, auth):
    user = create_user("supervisor")
    auth.login(user)
    laptop = app.test_client()
    login(laptop, user)
    assert laptop.get("/account/sessions").status_code == 200
    response = post_form(client, "/account/logout-everywhere")
    assert _signed_out(response)
    assert _signed_out(laptop.get("/account/sessions"))
    assert _signed_out(client.get("/account/sessions"))
    db.session.rollback()
    rows = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all()
    assert len(rows) == 2
    assert all(row.revoked_at is not None for row in rows)


def test_sign_out_ends_only_this_session(app, client, create_user, auth):
    user = create_user("trainee")
    auth.login(user)
    phone = app.test_client()
    login(phone, user)
    auth.logout()
    assert _signed_out(client.get("/account/sessions"))
    assert phone.get("/account/sessions").status_code == 200


def test_deactivated_account_loses_access_and_cannot_sign_in(app, client, create_user, auth):
    user = create_user("trainee")
    admin = create_user("staff", "admin")
    auth.login(user)
    assert client.get("/account/sessions").status_code == 200
    admin_client = app.test_client()
    login(admin_client, admin)
    response = post_form(admin_client, f"/admin/users/{user.id}/active", {"active": "0"})
    assert response.status_code == 302
    assert _signed_out(client.get("/account/sessions"))
    refused = post_form(client, LOGIN, {"email": user.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert _alerts(refused) == ["This account is deactivated. Contact the program office."]
    assert _signed_out(client.get("/account/sessions"))
    # A wrong password says nothing about the account's state.
    wrong = post_form(client, LOGIN, {"email": user.email, "password": "not the password at all"})
    assert _alerts(wrong) == [REFUSED]


def test_deactivated_in_the_database_is_out_on_the_next_request(client, create_user, auth):
    user = create_user("trainee")
    auth.login(user)
    user.active = False
    db.session.commit()
    assert _signed_out(client.get("/account/sessions"))


def test_weaker_old_hash_is_upgraded_at_sign_in(client, create_user, real_hashing):
    user = create_user("trainee", password="")
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    user.password_hash = old
    db.session.commit()
    assert needs_rehash(old)
    login(client, user)
    stored = reload(user).password_hash
    assert stored != old
    assert stored.startswith("$argon2id$")
    assert not needs_rehash(stored)
    assert f"m={real_hashing.memory_cost},t={real_hashing.time_cost}" in stored
    assert verify_password(stored, PASSWORD)


def test_current_hash_is_kept_at_sign_in(client, create_user, real_hashing):
    user = create_user("trainee")
    current = user.password_hash
    login(client, user)
    assert reload(user).password_hash == current


def test_failures_are_logged_without_the_password(client, create_user, caplog):
    caplog.set_level(logging.INFO)
    user = create_user("trainee")
    secret = "my wrong secret passphrase"
    post_form(client, LOGIN, {"email": user.email, "password": secret})
    post_form(client, LOGIN, {"email": "nobody@example.org", "password": secret})
    login(client, user)
    messages = [record.getMessage() for record in caplog.records]
    assert f"sign-in failed for account {user.id}" in messages
    assert "sign-in failed: unknown account" in messages
    logged = "\n".join(messages + [str(record.args) for record in caplog.records])
    assert secret not in logged
    assert PASSWORD not in logged
    assert caplog.text.count(secret) == 0


def test_password_of_a_session_token_is_never_stored(client, create_user):
    user = create_user("trainee")
    login(client, user)
    token = reload(user).sessions[0].token_hash
    cookie = client.get_cookie(COOKIE).value
    # The database holds only a hash of the token; the cookie holds the token itself.
    assert len(token) == 64
    assert token not in cookie
    assert services.load_session_user("not-a-token") is None


def test_signing_in_again_ends_the_previous_session(app, client, create_user):
    first = create_user("trainee")
    second = create_user("staff")
    login(client, first)
    copied = client.get_cookie(COOKIE).value
    login(client, second)
    assert "Person 2" in client.get("/account/sessions").get_data(as_text=True)
    replay = app.test_client()
    replay.set_cookie(COOKIE, copied)
    assert _signed_out(replay.get("/account/sessions"))
    db.session.rollback()
    rows = db.session.scalars(select(LoginSession).where(LoginSession.user_id == first.id)).all()
    assert [row.revoked_at is not None for row in rows] == [True]
