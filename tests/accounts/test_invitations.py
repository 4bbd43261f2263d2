"""Staff invite people by e-mail; the link lets the person choose a password, once, in time."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from tests.accounts.conftest import reload
from tests.accounts.conftest import row_counts
from tests.conftest import PASSWORD
from tests.conftest import login
from tests.conftest import post_form
from tracker.accounts.models import User
from tracker.accounts.passwords import verify_password
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.jobs.services import run_due

INVITE = "/admin/invite"
NEW_PASSWORD = "violet harbour lanterns drift"
_LINK = re.compile(r"http://localhost(/account/invitation/\S+)")


def _invite(client, roles, email="new.person@example.org", name="New Person"):
    return post_form(client, INVITE, {"full_name": name, "email": email, "roles": roles})


def _link(message) -> str:
    match = _LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _later(monkeypatch: pytest.MonkeyPatch, hours: float) -> None:
    """Make signed links see a clock `hours` ahead."""
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda _self: int(time.time() + hours * 3600)
    )


@pytest.fixture
def staff(create_user, auth):
    """A signed-in staff member (not an administrator)."""
    user = create_user("staff", name="Sam Staff")
    auth.login(user)
    return user


@pytest.mark.parametrize("role", ["trainee", "supervisor", "staff"])
def test_staff_invite_a_person_with_a_role(client, staff, mail_outbox, run_jobs, role):
    users, events = row_counts()
    response = _invite(client, [role])
    assert response.status_code == 302
    assert row_counts() == (users + 1, events + 1)
    person = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert person.roles == [role]
    assert not person.has_password
    action = db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()))
    assert action == "account.invited"
    assert mail_outbox == []  # the request only queued it
    run_jobs()
    assert len(mail_outbox) == 1
    assert mail_outbox[0].to == "new.person@example.org"
    assert "Sam Staff invited you" in mail_outbox[0].body
    assert _link(mail_outbox[0]).startswith("/account/invitation/")


def test_several_roles_at_once(client, staff, mail_outbox):
    assert _invite(client, ["supervisor", "staff"]).status_code == 302
    person = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert person.roles == ["supervisor", "staff"]


def test_only_an_admin_may_grant_admin(client, staff, mail_outbox, run_jobs):
    before = row_counts()
    response = _invite(client, ["staff", "admin"])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="roles-error"' in html
    assert row_counts() == before
    run_jobs()
    assert mail_outbox == []
    assert 'value="admin"' not in html  # the choice is not even offered


def test_an_admin_may_grant_admin(client, create_user, auth, mail_outbox, run_jobs):
    auth.login(create_user("staff", "admin"))
    assert _invite(client, ["staff", "admin"]).status_code == 302
    person = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert person.is_admin
    run_jobs()
    assert len(mail_outbox) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"roles": []}, "roles"),
        ({"roles": ["overlord"]}, "roles"),
        ({"email": "not an email"}, "email"),
        ({"name": "<b>Bold</b>"}, "full_name"),
    ],
)
def test_invalid_invitations_write_and_send_nothing(
    client, staff, mail_outbox, run_jobs, data, field
):
    before = row_counts()
    arguments = {"roles": ["trainee"], **data}
    response = _invite(client, **arguments)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert row_counts() == before
    run_jobs()
    assert mail_outbox == []


def test_an_existing_address_is_not_invited_again(
    client, staff, create_user, mail_outbox, run_jobs
):
    create_user("trainee", email="new.person@example.org")
    before = row_counts()
    response = _invite(client, ["trainee"], email="New.Person@Example.org")
    assert "already exists" in response.get_data(as_text=True)
    assert row_counts() == before
    run_jobs()
    assert mail_outbox == []


@pytest.mark.parametrize("role", ["trainee", "supervisor"])
def test_trainees_and_supervisors_cannot_invite(
    client, create_user, auth, mail_outbox, run_jobs, role
):
    auth.login(create_user(role))
    before = row_counts()
    assert client.get(INVITE).status_code == 403
    assert _invite(client, ["trainee"]).status_code == 403
    assert row_counts() == before
    run_jobs()
    assert mail_outbox == []


def _invited(app, client, staff, mail_outbox) -> tuple[User, str]:
    _invite(client, ["supervisor"])
    run_due()
    post_form(client, "/account/logout")
    person = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    return person, _link(mail_outbox[-1])


def test_the_link_sets_a_password_and_then_the_person_signs_in(app, client, staff, mail_outbox):
    person, link = _invited(app, client, staff, mail_outbox)
    page = client.get(link)
    assert page.status_code == 200
    assert "Welcome, New Person" in page.get_data(as_text=True)
    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    assert verify_password(reload(person).password_hash, NEW_PASSWORD)
    login(client, person, NEW_PASSWORD)
    assert client.get("/account/sessions").status_code == 200


def test_the_link_enforces_the_password_policy(app, client, staff, mail_outbox):
    person, link = _invited(app, client, staff, mail_outbox)
    before = row_counts()
    for password, confirm, field in [
        ("too short", "too short", "password"),
        ("password1234", "password1234", "password"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "confirm"),
    ]:
        response = post_form(client, link, {"password": password, "confirm": confirm})
        assert response.status_code == 200
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert row_counts() == before
    assert not reload(person).has_password
    assert client.get(link).status_code == 200  # still usable


def test_the_link_works_once(app, client, staff, mail_outbox):
    person, link = _invited(app, client, staff, mail_outbox)
    post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    stored = reload(person).password_hash
    again = client.get(link)
    assert again.status_code == 400
    assert "This link cannot be used" in again.get_data(as_text=True)
    other = "a different passphrase entirely"
    replay = post_form(client, link, {"password": other, "confirm": other})
    assert replay.status_code == 400
    assert reload(person).password_hash == stored


def test_an_expired_link_changes_nothing(app, client, staff, mail_outbox, monkeypatch):
    person, link = _invited(app, client, staff, mail_outbox)
    _later(monkeypatch, hours=71.9)
    assert client.get(link).status_code == 200
    _later(monkeypatch, hours=72.1)
    before = row_counts()
    page = client.get(link)
    assert page.status_code == 400
    assert "expired" in page.get_data(as_text=True)
    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert row_counts() == before
    assert not reload(person).has_password


def test_a_shorter_invitation_lifetime_is_honoured(app, client, staff, mail_outbox, monkeypatch):
    _person, link = _invited(app, client, staff, mail_outbox)
    app.config["INVITATION_MAX_AGE_HOURS"] = 1
    _later(monkeypatch, hours=1.1)
    assert client.get(link).status_code == 400


@pytest.mark.parametrize("how", ["payload", "signature", "truncated", "reset-purpose"])
def test_a_tampered_link_changes_nothing(app, client, staff, mail_outbox, how):
    person, link = _invited(app, client, staff, mail_outbox)
    prefix, token = link.rsplit("/", 1)
    if how == "payload":
        token = ("A" if token[0] != "A" else "B") + token[1:]
    elif how == "signature":
        # Not the last character: its low bits are padding that decoding ignores.
        token = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    elif how == "truncated":
        token = token[: len(token) // 2]
    else:
        prefix = "/account/password/reset"
    tampered = f"{prefix}/{token}"
    before = row_counts()
    page = client.get(tampered)
    assert page.status_code == 400
    assert "This link cannot be used" in page.get_data(as_text=True)
    response = post_form(client, tampered, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert row_counts() == before
    assert not reload(person).has_password


def test_a_deactivated_person_cannot_use_the_link(app, client, staff, mail_outbox):
    person, link = _invited(app, client, staff, mail_outbox)
    person.active = False
    db.session.commit()
    assert client.get(link).status_code == 400


def test_an_invited_person_cannot_sign_in_before_choosing_a_password(
    app, client, staff, mail_outbox
):
    person, _link_path = _invited(app, client, staff, mail_outbox)
    response = post_form(client, "/account/login", {"email": person.email, "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/account/sessions").status_code == 302
