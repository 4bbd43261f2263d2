"""Changing one's own password and e-mail address while signed in: the current password first;
a new password signs out every other session; a new address counts once its link is used, and
the old address is told."""

from __future__ import annotations

import re

from tests.accounts.conftest import reload
from tests.conftest import PASSWORD
from tests.conftest import login
from tests.conftest import post_form
from tracker.accounts.models import User
from tracker.accounts.passwords import verify_password
from tracker.extensions import db
from tracker.jobs.services import run_due

NEW_PASSWORD = "violet harbour lanterns drift"
_LINK = re.compile(r"http://localhost(/account/email/\S+)")


def test_a_new_password_needs_the_current_one(client, create_user):
    user = create_user("trainee")
    login(client, user)
    response = post_form(
        client,
        "/account/password",
        {"current_password": "wrong guess", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "This is not your current password." in response.get_data(as_text=True)
    assert verify_password(reload(user).password_hash, PASSWORD)


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, create_user):
    user = create_user("supervisor")
    other = app.test_client()
    login(other, user)
    login(client, user)
    response = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert "Your password is changed." in response.get_data(as_text=True)
    assert verify_password(reload(user).password_hash, NEW_PASSWORD)
    assert client.get("/account/sessions").status_code == 200  # still signed in here
    assert other.get("/account/sessions").status_code == 302  # signed out there
    post_form(client, "/account/logout")
    login(client, user, NEW_PASSWORD)


def test_a_weak_new_password_is_refused_and_nothing_changes(client, create_user):
    user = create_user("trainee")
    login(client, user)
    response = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "short", "confirm": "short"},
    )
    assert response.status_code == 200
    assert verify_password(reload(user).password_hash, PASSWORD)


def _ask_for(client, email: str, password: str = PASSWORD):
    response = post_form(
        client, "/account/email", {"email": email, "password": password}, follow_redirects=True
    )
    run_due()
    return response


def test_a_new_address_counts_once_its_link_is_used_and_the_old_one_is_told(
    client, create_user, mail_outbox
):
    user = create_user("trainee", email="old@example.org")
    login(client, user)
    page = _ask_for(client, "New@Example.org").get_data(as_text=True)
    assert "Check new@example.org" in page
    assert reload(user).email == "old@example.org"  # not yet
    assert [m.to for m in mail_outbox] == ["new@example.org"]
    path = _LINK.search(mail_outbox[0].body).group(1)
    shown = client.get(path)
    assert "new@example.org" in shown.get_data(as_text=True)
    assert reload(user).email == "old@example.org"  # a GET changes nothing
    done = post_form(client, path, {}, follow_redirects=True)
    assert "Your e-mail address is now new@example.org." in done.get_data(as_text=True)
    assert reload(user).email == "new@example.org"
    run_due()
    told = mail_outbox[-1]
    assert told.to == "old@example.org" and "new@example.org" in told.body
    # The link works once.
    assert client.get(path).status_code == 400
    post_form(client, "/account/logout")
    login(client, reload(user))


def test_an_address_in_use_or_a_wrong_password_is_refused(client, create_user, mail_outbox):
    create_user("trainee", email="taken@example.org")
    user = create_user("trainee", email="me@example.org")
    login(client, user)
    taken = _ask_for(client, "taken@example.org").get_data(as_text=True)
    assert "Another account uses this address." in taken
    wrong = _ask_for(client, "fresh@example.org", "not my password").get_data(as_text=True)
    assert "This is not your current password." in wrong
    assert mail_outbox == []


def test_someone_elses_link_does_not_work(app, client, create_user, mail_outbox):
    owner = create_user("trainee", email="owner@example.org")
    login(client, owner)
    _ask_for(client, "moved@example.org")
    path = _LINK.search(mail_outbox[0].body).group(1)
    intruder = app.test_client()
    login(intruder, create_user("trainee"))
    assert intruder.get(path).status_code == 400
    assert post_form(intruder, path, {}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, owner.id).email == "owner@example.org"
