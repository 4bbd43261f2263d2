"""With CSRF protection on, a state-changing POST without a valid token is refused and changes
nothing; a GET changes nothing either."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import csrf_token
from tracker.accounts.models import LoginSession
from tracker.accounts.models import User
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.jobs.models import Job


def _state() -> tuple[int, int, int, int, int]:
    """Accounts, audit events, open sessions, failed sign-ins and queued jobs (mail), as stored
    now."""
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(Job)),
        db.session.scalar(select(func.count()).select_from(User)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        db.session.scalar(
            select(func.count()).select_from(LoginSession).where(LoginSession.revoked_at.is_(None))
        ),
        db.session.scalar(select(func.coalesce(func.sum(User.failed_logins), 0))),
    )


ANONYMOUS_FORMS = [
    ("/account/login", {"email": "dana@example.org", "password": "a wrong password here"}),
    (
        "/account/register",
        {
            "full_name": "New Applicant",
            "email": "new@example.org",
        },
    ),
    ("/account/password/forgot", {"email": "dana@example.org"}),
]
STAFF_FORMS = [
    ("/account/logout", {}),
    ("/account/logout-everywhere", {}),
    ("/admin/invite", {"full_name": "Invited One", "email": "inv@example.org", "roles": "trainee"}),
    ("/admin/users/{other}", {"roles": ["admin"]}),
    ("/admin/users/{other}/active", {"active": "0"}),
]


@pytest.fixture
def accounts(create_user):
    """The signed-in administrator's account and another account."""
    return create_user("staff", "admin", email="dana@example.org"), create_user("trainee")


@pytest.mark.parametrize("token", [None, "", "forged-token"], ids=["missing", "empty", "forged"])
@pytest.mark.parametrize(("url", "data"), ANONYMOUS_FORMS, ids=lambda value: str(value)[:30])
def test_anonymous_forms_refuse_a_post_without_token(
    client, accounts, mail_outbox, run_jobs, url, data, token
):
    client.get(url)
    before = _state()
    payload = dict(data) if token is None else {**data, "csrf_token": token}
    response = client.post(url, data=payload)
    assert response.status_code == 400
    assert _state() == before
    run_jobs()
    assert mail_outbox == []


@pytest.mark.parametrize(("url", "data"), STAFF_FORMS, ids=lambda value: str(value)[:30])
def test_signed_in_forms_refuse_a_post_without_token(
    client, accounts, auth, mail_outbox, run_jobs, url, data
):
    admin, other = accounts
    auth.login(admin)
    before = _state()
    response = client.post(url.format(other=other.id), data=data)
    assert response.status_code == 400
    assert _state() == before
    run_jobs()
    assert mail_outbox == []
    assert client.get("/account/sessions").status_code == 200  # still signed in
    assert db.session.get(User, other.id).active


def test_a_token_from_another_session_is_refused(app, client, accounts):
    other_browser = app.test_client()
    stolen = csrf_token(other_browser)
    client.get("/account/login")
    before = _state()
    response = client.post(
        "/account/password/forgot", data={"email": "dana@example.org", "csrf_token": stolen}
    )
    assert response.status_code == 400
    assert _state() == before


def test_the_token_is_not_accepted_in_the_query_string(client, accounts, mail_outbox, run_jobs):
    token = csrf_token(client)
    response = client.post(
        f"/account/password/forgot?csrf_token={token}", data={"email": "dana@example.org"}
    )
    assert response.status_code == 400
    run_jobs()
    assert mail_outbox == []


@pytest.mark.parametrize("url", ["/account/logout", "/account/logout-everywhere"])
def test_sign_out_is_not_possible_by_get(client, accounts, auth, url):
    auth.login(accounts[0])
    assert client.get(url).status_code == 405
    assert client.get("/account/sessions").status_code == 200
