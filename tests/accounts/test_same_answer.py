"""Registration and password reset tell nothing about which addresses have an account: for a
known and an unknown address the answer is the same bytes (but for the CSRF token), the request
runs the same SQL statements (so takes the same time), and no mail is sent inside the request:
the worker sends it afterwards, and only its recipient learns which case it was."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token

KNOWN = "dana@example.org"
UNKNOWN = "nobody@example.org"
_TOKEN = re.compile(r'(name="csrf_token" (?:type="hidden" )?value=")[^"]+(")')
FORMS = {
    "register": ("/account/register", {"full_name": "Dana Example"}),
    "reset": ("/account/password/forgot", {}),
}


def _without_tokens(html: str) -> str:
    return _TOKEN.sub(r"\1TOKEN\2", html)


def _answer(app, count_queries, form: str, email: str) -> dict[str, object]:
    """Everything a visitor sees of one submission from a fresh browser, and the statements
    the request ran."""
    url, data = FORMS[form]
    browser = app.test_client()
    token = csrf_token(browser)
    with count_queries() as counter:
        response = browser.post(url, data={**data, "email": email, "csrf_token": token})
    page = browser.get(response.headers["Location"])
    return {
        "status": response.status_code,
        "location": response.headers["Location"],
        "body": response.get_data(),
        "page status": page.status_code,
        "page": _without_tokens(page.get_data(as_text=True)),
        "statements": counter.statements,
    }


@pytest.fixture
def mail_server_down(app, monkeypatch):
    """A mail server that is down: any attempt to send fails (and is noted) until the test
    undoes it and lets the worker run."""
    tried: list[str] = []

    def down(message) -> None:
        tried.append(message["To"])
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setattr("tracker.mail._send_smtp", down)
    return tried


@pytest.mark.parametrize("form", list(FORMS))
def test_known_and_unknown_addresses_get_the_same_answer(
    app, create_user, count_queries, mail_outbox, run_jobs, monkeypatch, mail_server_down, form
):
    create_user("trainee", email=KNOWN, name="Dana Example")
    known = _answer(app, count_queries, form, KNOWN)
    unknown = _answer(app, count_queries, form, UNKNOWN)
    assert known["status"] == 302
    assert known["page status"] == 200
    for key in known:
        assert known[key] == unknown[key], f"the {key} differs"
    assert mail_server_down == []
    monkeypatch.undo()  # the worker may send now
    run_jobs()
    if form == "register":
        # The owner hears of the attempt; the new address gets its link.
        assert sorted(m.to for m in mail_outbox) == [KNOWN, UNKNOWN]
        note = next(m for m in mail_outbox if m.to == KNOWN)
        assert "Someone tried to register" in note.subject
    else:
        assert [m.to for m in mail_outbox] == [KNOWN]


@pytest.mark.parametrize("form", list(FORMS))
def test_a_mail_server_that_is_down_never_touches_the_page(
    app, create_user, count_queries, mail_outbox, run_jobs, mail_server_down, form
):
    """The request never reaches the mail server; the worker does, and tries again later."""
    create_user("trainee", email=KNOWN)
    answer = _answer(app, count_queries, form, KNOWN)
    assert answer["status"] == 302
    assert mail_server_down == []
    ran = run_jobs()
    assert (ran.done, ran.retried) == (0, 1)
    assert mail_server_down == [KNOWN]
    assert mail_outbox == []
