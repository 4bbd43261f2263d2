"""Self-registration: a valid form signs the applicant in as a trainee; anything wrong shows a
message next to its field and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.accounts.conftest import row_counts
from tests.conftest import csrf_token
from tests.conftest import post_form
from tracker.accounts.models import User
from tracker.accounts.passwords import verify_password
from tracker.audit.models import AuditEvent
from tracker.extensions import db

REGISTER = "/account/register"
WORDS = "amber lantern quietly folds paper cranes beside the harbour wall "


def passphrase(length: int) -> str:
    """An uncommon passphrase of exactly `length` characters."""
    text = (WORDS * (length // len(WORDS) + 1))[:length]
    assert len(text) == length
    return text[:-1] + "x" if text.endswith(" ") else text


def form(**changes: str) -> dict[str, str]:
    """A valid registration form, with `changes` applied."""
    data = {
        "full_name": "Robin Applicant",
        "email": "robin@example.org",
        "password": "amber lantern folds",
        "confirm": "amber lantern folds",
    }
    data.update(changes)
    if "password" in changes and "confirm" not in changes:
        data["confirm"] = changes["password"]
    return data


def test_valid_registration_signs_in_one_trainee(client):
    before_users, before_events = row_counts()
    response = post_form(client, REGISTER, form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/home")
    after_users, after_events = row_counts()
    assert after_users == before_users + 1
    assert after_events == before_events + 1
    user = db.session.scalar(select(User).where(User.email == "robin@example.org"))
    assert user.roles == ["trainee"]
    assert user.full_name == "Robin Applicant"
    assert verify_password(user.password_hash, "amber lantern folds")
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "account.registered" in actions
    home = client.get("/account/sessions")
    assert home.status_code == 200
    assert "Robin Applicant" in home.get_data(as_text=True)


@pytest.mark.parametrize("length", [12, 64, 128])
def test_password_lengths_accepted(client, length):
    password = passphrase(length)
    response = post_form(client, REGISTER, form(password=password))
    assert response.status_code == 302, response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "robin@example.org"))
    assert verify_password(user.password_hash, password)


def _refused(client, data: dict[str, str], field: str, message: str) -> None:
    before = row_counts()
    response = post_form(client, REGISTER, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The message sits in the field's own error element, which the input points at.
    assert f'id="{field}-error"' in html
    error = html.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]
    assert message in error
    assert f'aria-describedby="{field}-error"' in html or f"{field}-help {field}-error" in html
    assert row_counts() == before
    assert client.get("/account/sessions").status_code == 302  # still signed out


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password": passphrase(11)}, "password", "at least 12 characters"),
        ({"password": passphrase(129)}, "password", "Too long"),
        ({"password": "password1234"}, "password", "most common"),
        ({"password": "temppassword"}, "password", "most common"),
        ({"password": "michaeljackson"}, "password", "most common"),
        ({"password": "qwertyuiopasdf"}, "password", "choose another"),
        ({"password": "robin@example.org!"}, "password", "e-mail address"),
        ({"confirm": "amber lantern fold"}, "confirm", "The two passwords differ."),
        ({"email": "not-an-email"}, "email", "Enter a valid e-mail address."),
        ({"email": "robin@"}, "email", "Enter a valid e-mail address."),
        ({"email": ""}, "email", "Enter your e-mail address."),
        ({"full_name": "<script>alert(1)</script>"}, "full_name", "ordinary punctuation"),
        ({"full_name": "Robin\x07Bell"}, "full_name", "ordinary punctuation"),
        ({"full_name": "   "}, "full_name", "Use 2 to 120 characters."),
        ({"full_name": "R" * 121}, "full_name", "Use 2 to 120 characters."),
    ],
    ids=[
        "password-11",
        "password-129",
        "password1234",
        "common-list-temppassword",
        "common-list-name",
        "keyboard-walk",
        "contains-email",
        "confirm-differs",
        "bad-email",
        "email-without-domain",
        "email-missing",
        "script-in-name",
        "control-char-in-name",
        "blank-name",
        "name-too-long",
    ],
)
def test_invalid_registration_writes_nothing(client, changes, field, message):
    _refused(client, form(**changes), field, message)


def test_duplicate_email_is_refused_whatever_its_case(client, create_user):
    create_user("trainee", email="robin@example.org")
    _refused(
        client,
        form(email="  ROBIN@Example.ORG "),
        "email",
        "An account with this e-mail address already exists.",
    )


def test_missing_csrf_token_is_refused_and_writes_nothing(client):
    client.get(REGISTER)
    before = row_counts()
    response = client.post(REGISTER, data=form())
    assert response.status_code == 400
    assert row_counts() == before


def test_wrong_csrf_token_is_refused(client):
    csrf_token(client)
    before = row_counts()
    response = client.post(REGISTER, data={**form(), "csrf_token": "forged"})
    assert response.status_code == 400
    assert row_counts() == before


def test_role_fields_in_the_request_are_ignored(client):
    response = post_form(client, REGISTER, {**form(), "is_admin": "1", "roles": "admin"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "robin@example.org"))
    assert user.roles == ["trainee"]


def test_a_name_with_markup_renders_as_text(client, create_user, auth):
    user = create_user("trainee", name="<script>alert(1)</script> Bell")
    auth.login(user)
    html = client.get("/account/sessions").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bell" in html
