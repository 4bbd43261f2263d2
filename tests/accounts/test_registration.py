"""Self-registration: the form queues an e-mail (the same answer whatever the address); its link
lets the applicant choose a password, which creates one signed-in trainee account. Anything
wrong shows a message next to its field and writes nothing."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func
from sqlalchemy import select

from tests.accounts.conftest import row_counts
from tests.conftest import csrf_token
from tests.conftest import post_form
from tracker.accounts.models import User
from tracker.accounts.passwords import verify_password
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.jobs.models import Job

REGISTER = "/account/register"
ANSWER = "Check your e-mail: a link to finish creating your account is on its way."
PASSWORD = "amber lantern folds"
WORDS = "amber lantern quietly folds paper cranes beside the harbour wall "
_LINK = re.compile(r"http://localhost(/account/register/\S+)")


def passphrase(length: int) -> str:
    """An uncommon passphrase of exactly `length` characters."""
    text = (WORDS * (length // len(WORDS) + 1))[:length]
    assert len(text) == length
    return text[:-1] + "x" if text.endswith(" ") else text


def form(**changes: str) -> dict[str, str]:
    """A valid registration form, with `changes` applied."""
    return {"full_name": "Robin Applicant", "email": "robin@example.org", **changes}


def passwords(password: str = PASSWORD, confirm: str | None = None) -> dict[str, str]:
    """The form of the registration link's page."""
    return {"password": password, "confirm": password if confirm is None else confirm}


def jobs() -> int:
    """Jobs queued so far (committed)."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Job))


def _later(monkeypatch: pytest.MonkeyPatch, hours: float) -> None:
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda _self: int(time.time() + hours * 3600)
    )


@pytest.fixture
def register_link(client, mail_outbox, run_jobs):
    """`register_link(**changes)`: register through the form, let the worker send the e-mail,
    and return the path of the link it holds."""

    def register(**changes: str) -> str:
        response = post_form(client, REGISTER, form(**changes))
        assert response.status_code == 302, response.get_data(as_text=True)
        run_jobs()
        match = _LINK.search(mail_outbox[-1].body)
        assert match, mail_outbox[-1].body
        return match.group(1)

    return register


def test_the_form_queues_an_e_mail_and_creates_nothing(client, mail_outbox, run_jobs):
    before = row_counts()
    response = post_form(client, REGISTER, form(), follow_redirects=True)
    assert response.request.path == "/account/login"
    assert ANSWER in response.get_data(as_text=True)
    assert row_counts() == before
    assert mail_outbox == []  # nothing is sent inside the request
    assert run_jobs().done == 1
    assert [m.to for m in mail_outbox] == ["robin@example.org"]
    assert "Hello Robin Applicant" in mail_outbox[0].body
    assert "within 24 hours" in mail_outbox[0].body
    assert _LINK.search(mail_outbox[0].body)
    assert row_counts() == before  # the account waits for the link
    assert client.get("/account/sessions").status_code == 302


def test_the_link_creates_one_signed_in_trainee(client, register_link):
    link = register_link()
    page = client.get(link).get_data(as_text=True)
    assert "Welcome, Robin Applicant" in page and "robin@example.org" in page
    before_users, before_events = row_counts()
    response = post_form(client, link, passwords())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/home")
    assert row_counts() == (before_users + 1, before_events + 1)
    user = db.session.scalar(select(User).where(User.email == "robin@example.org"))
    assert user.roles == ["trainee"]
    assert user.full_name == "Robin Applicant"
    assert verify_password(user.password_hash, PASSWORD)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "account.registered" in actions
    home = client.get("/account/sessions")
    assert home.status_code == 200
    assert "Robin Applicant" in home.get_data(as_text=True)


@pytest.mark.parametrize("length", [12, 64, 128])
def test_password_lengths_accepted(client, register_link, length):
    password = passphrase(length)
    response = post_form(client, register_link(), passwords(password))
    assert response.status_code == 302, response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "robin@example.org"))
    assert verify_password(user.password_hash, password)


def _refused_on_page(response, field: str, message: str) -> None:
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The message sits in the field's own error element, which the input points at.
    assert f'id="{field}-error"' in html
    error = html.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]
    assert message in error
    assert f'aria-describedby="{field}-error"' in html or f"{field}-help {field}-error" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid e-mail address."),
        ({"email": "robin@"}, "email", "Enter a valid e-mail address."),
        ({"email": ""}, "email", "Enter your e-mail address."),
        ({"full_name": "<script>alert(1)</script>"}, "full_name", "ordinary punctuation"),
        ({"full_name": "Robin\x07Bell"}, "full_name", "ordinary punctuation"),
        ({"full_name": "   "}, "full_name", "Use 2 to 120 characters."),
        ({"full_name": "R" * 121}, "full_name", "Use 2 to 120 characters."),
    ],
    ids=[
        "bad-email",
        "email-without-domain",
        "email-missing",
        "script-in-name",
        "control-char-in-name",
        "blank-name",
        "name-too-long",
    ],
)
def test_an_invalid_form_queues_nothing(client, mail_outbox, run_jobs, changes, field, message):
    before, queued = row_counts(), jobs()
    _refused_on_page(post_form(client, REGISTER, form(**changes)), field, message)
    assert row_counts() == before
    assert jobs() == queued
    run_jobs()
    assert mail_outbox == []


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        (passphrase(11), None, "password", "at least 12 characters"),
        (passphrase(129), None, "password", "Too long"),
        ("password1234", None, "password", "most common"),
        ("temppassword", None, "password", "most common"),
        ("michaeljackson", None, "password", "most common"),
        ("qwertyuiopasdf", None, "password", "choose another"),
        ("robin@example.org!", None, "password", "e-mail address"),
        (PASSWORD, "amber lantern fold", "confirm", "The two passwords differ."),
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
    ],
)
def test_an_unfit_password_creates_nothing(
    client, register_link, password, confirm, field, message
):
    link = register_link()
    before = row_counts()
    _refused_on_page(post_form(client, link, passwords(password, confirm)), field, message)
    assert row_counts() == before
    assert client.get("/account/sessions").status_code == 302  # still signed out
    assert client.get(link).status_code == 200  # the link still works


def test_an_existing_address_gets_the_same_answer_and_its_owner_a_note(
    client, create_user, mail_outbox, run_jobs
):
    create_user("trainee", email="robin@example.org", name="Robin Owner")
    before = row_counts()
    response = post_form(
        client, REGISTER, form(email="  ROBIN@Example.ORG "), follow_redirects=True
    )
    assert ANSWER in response.get_data(as_text=True)
    assert "already exists" not in response.get_data(as_text=True)
    assert row_counts() == before
    assert mail_outbox == []
    run_jobs()
    assert [m.to for m in mail_outbox] == ["robin@example.org"]
    note = mail_outbox[0]
    assert note.subject == "Someone tried to register with your e-mail address"
    assert "Hello Robin Owner" in note.body
    assert "http://localhost/account/login" in note.body
    assert "http://localhost/account/password/forgot" in note.body
    assert not _LINK.search(note.body)  # no way to a second account


def test_a_deactivated_owner_gets_no_note(client, create_user, mail_outbox, run_jobs):
    create_user("trainee", email="robin@example.org", active=False)
    post_form(client, REGISTER, form())
    run_jobs()
    assert mail_outbox == []


def test_the_link_works_once(app, client, register_link):
    link = register_link()
    assert post_form(client, link, passwords()).status_code == 302
    post_form(client, "/account/logout")
    before = row_counts()
    again = app.test_client()
    page = again.get(link)
    assert page.status_code == 400
    assert "already been used" in page.get_data(as_text=True)
    other = "a different passphrase entirely"
    assert post_form(again, link, passwords(other)).status_code == 400
    assert row_counts() == before


def test_of_two_links_for_one_address_the_second_finds_the_account(app, client, register_link):
    first = register_link()
    second = register_link(full_name="Robin Second")
    assert post_form(client, second, passwords()).status_code == 302
    before = row_counts()
    assert app.test_client().get(first).status_code == 400
    assert row_counts() == before
    user = db.session.scalar(select(User).where(User.email == "robin@example.org"))
    assert user.full_name == "Robin Second"


def test_an_expired_link_creates_nothing(client, register_link, monkeypatch):
    link = register_link()
    _later(monkeypatch, hours=23.9)
    assert client.get(link).status_code == 200
    _later(monkeypatch, hours=24.1)
    before = row_counts()
    page = client.get(link)
    assert page.status_code == 400
    assert "expired" in page.get_data(as_text=True)
    assert post_form(client, link, passwords()).status_code == 400
    assert row_counts() == before


@pytest.mark.parametrize("how", ["payload", "signature", "reset-purpose", "garbage"])
def test_a_tampered_link_creates_nothing(client, register_link, how):
    prefix, token = register_link().rsplit("/", 1)
    if how == "payload":
        token = ("A" if token[0] != "A" else "B") + token[1:]
    elif how == "signature":
        # Not the last character: its low bits are padding that decoding ignores.
        token = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    elif how == "reset-purpose":
        prefix = "/account/password/reset"
    else:
        token = "x" * 1200
    tampered = f"{prefix}/{token}"
    before = row_counts()
    assert client.get(tampered).status_code == 400
    response = post_form(client, tampered, passwords())
    assert response.status_code == 400
    assert "This link cannot be used" in response.get_data(as_text=True)
    assert row_counts() == before


def test_missing_csrf_token_is_refused_and_queues_nothing(client):
    client.get(REGISTER)
    before, queued = row_counts(), jobs()
    response = client.post(REGISTER, data=form())
    assert response.status_code == 400
    assert (row_counts(), jobs()) == (before, queued)


def test_wrong_csrf_token_is_refused(client):
    csrf_token(client)
    before, queued = row_counts(), jobs()
    response = client.post(REGISTER, data={**form(), "csrf_token": "forged"})
    assert response.status_code == 400
    assert (row_counts(), jobs()) == (before, queued)


def test_role_fields_in_the_request_are_ignored(client, mail_outbox, run_jobs):
    response = post_form(client, REGISTER, {**form(), "is_admin": "1", "roles": "admin"})
    assert response.status_code == 302
    run_jobs()
    link = _LINK.search(mail_outbox[-1].body).group(1)
    extra = {**passwords(), "is_admin": "1", "roles": "admin", "email": "other@example.org"}
    assert post_form(client, link, extra).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "robin@example.org"))
    assert user.roles == ["trainee"]


def test_a_name_with_markup_renders_as_text(client, create_user, auth):
    user = create_user("trainee", name="<script>alert(1)</script> Bell")
    auth.login(user)
    html = client.get("/account/sessions").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bell" in html
