"""Error pages: the site's own layout for people, JSON for clients that ask for it, and the
same security headers on both."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token
from tests.conftest import post_form
from tests.security.test_headers import assert_security_headers
from tracker.core.limits import wait_in_words

JSON = {"Accept": "application/json"}


def assert_site_layout(response, code: int) -> None:
    """The page is the site's base layout with the error named in its one heading."""
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert '<a class="navbar-brand"' in html
    assert '<main id="main"' in html
    assert html.count("<h1>") == 1
    assert f"Error {code}" in html
    assert "Traceback" not in html
    assert_security_headers(response)


def test_400_missing_csrf_token(client):
    client.get("/account/login")
    response = client.post("/account/login", data={"email": "a@example.org", "password": "x"})
    assert_site_layout(response, 400)
    assert "CSRF" in response.get_data(as_text=True)


def test_403_for_a_trainee_on_an_admin_page(client, create_user, auth):
    auth.login(create_user("trainee"))
    response = client.get("/admin/users")
    assert_site_layout(response, 403)
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_401_for_an_anonymous_post(client):
    response = post_form(client, "/account/logout")
    assert_site_layout(response, 401)


def test_404(client):
    response = client.get("/no/such/page")
    assert_site_layout(response, 404)
    assert "Page not found" in response.get_data(as_text=True)


def test_405(client):
    assert_site_layout(client.get("/account/logout"), 405)


def test_413_for_a_body_over_the_limit(make_app):
    app = make_app(MAX_CONTENT_LENGTH=2048)
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/account/login", data={"csrf_token": token, "email": "x" * 4096, "password": "x"}
    )
    assert_site_layout(response, 413)
    html = response.get_data(as_text=True)
    assert "The upload is too large" in html
    assert "Files may be up to 10 MB" in html


def test_429_when_the_rate_limit_is_reached(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    responses = [
        post_form(client, "/account/password/forgot", {"email": "someone@example.org"})
        for _ in range(6)
    ]
    assert [r.status_code for r in responses[:5]] == [302] * 5
    assert_site_layout(responses[5], 429)
    html = responses[5].get_data(as_text=True)
    assert "Too many reset requests: try again in" in html
    assert "The limit is 5 per hour." in html
    assert 'href="/account/password/forgot"' in html


@pytest.mark.parametrize(
    ("path", "code", "message"),
    [("/no/such/page", 404, "Page not found"), ("/account/logout", 405, None)],
)
def test_json_clients_get_json_errors(client, path, code, message):
    response = client.get(path, headers=JSON)
    assert response.status_code == code
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    if message:
        assert body["error"] == message
    assert_security_headers(response)


def test_json_403_and_400(client, create_user, auth):
    auth.login(create_user("trainee"))
    forbidden = client.get("/admin/users", headers=JSON)
    assert forbidden.status_code == 403
    assert forbidden.get_json() == {"error": "You do not have access to this page"}
    refused = client.post("/account/logout", headers=JSON)
    assert refused.status_code == 400
    assert refused.is_json


def test_json_500_carries_the_incident_id(failing_app, caplog):
    response = failing_app.test_client().get("/boom", headers=JSON)
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"] == "Something went wrong"
    assert len(body["incident"]) == 12
    assert "Boom" not in response.get_data(as_text=True)
    assert body["incident"] in caplog.text


def test_browsers_get_html_even_when_json_is_acceptable(client):
    response = client.get(
        "/no/such/page", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.2, "1 second"),
        (40, "40 seconds"),
        (119.5, "2 minutes"),
        (121, "3 minutes"),
        (3600, "60 minutes"),
        (7300, "3 hours"),
    ],
)
def test_the_wait_is_said_in_words_rounded_up(seconds, words):
    assert wait_in_words(seconds) == words
