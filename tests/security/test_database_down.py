"""With the database down, a person still signed in (a session cookie) gets the health answer
and the site's own error pages, never a bare server error: neither the error pages nor
/healthz read the session's user. With the database up they do not query it either."""

from __future__ import annotations

import re

import pytest

from tests.conftest import is_postgres
from tests.security.test_error_pages import assert_site_layout

_INCIDENT = re.compile(r"incident <strong><code>([0-9a-f]{12})</code>")


def _unreachable(tmp_path) -> str:
    """A database URL nothing answers at, of the kind this run tests."""
    if is_postgres():
        return "postgresql+psycopg://postgres@127.0.0.1:1/unreachable?connect_timeout=2"
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'tracker.db'}"


@pytest.fixture
def signed_in_cookie(app, client, auth, create_user) -> str:
    """The session cookie of a staff member signed in while the database answered."""
    auth.login(create_user("staff", name="Casey Cookie"))
    client.get("/home", follow_redirects=True)  # shows (so clears) "Signed in as ..."
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


@pytest.fixture
def down(make_app, tmp_path, app, signed_in_cookie):
    """A client of the same app whose database cannot be reached, carrying the cookie."""
    broken = make_app(SQLALCHEMY_DATABASE_URI=_unreachable(tmp_path))
    client = broken.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], signed_in_cookie)
    return client


def test_healthz_reports_the_database_down_with_a_session_cookie(down):
    response = down.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


def test_a_page_answers_503_with_retry_after_and_the_incident(down, caplog):
    response = down.get("/home")
    assert_site_layout_503(response)
    assert response.headers["Retry-After"] == "30"
    incident = _INCIDENT.search(response.get_data(as_text=True)).group(1)
    assert incident in caplog.text


def test_json_callers_get_503_too(down):
    response = down.get("/home", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["error"] == "The tracker is briefly unavailable"


def test_an_unknown_page_gets_the_404_page_with_a_session_cookie(down):
    assert_site_layout(down.get("/no/such/page"), 404)


def test_static_files_are_served_with_a_session_cookie(down):
    with down.get("/static/css/app.css") as response:
        assert response.status_code == 200


def assert_site_layout_503(response) -> None:
    """The site's own "briefly unavailable" page: layout, incident number, no personal links."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert '<a class="navbar-brand"' in html and '<main id="main"' in html
    assert "briefly unavailable" in html and "Nothing was saved" in html
    assert "Sign out" not in html and "Casey Cookie" not in html


def test_with_the_database_up_healthz_runs_only_its_own_check(
    client, signed_in_cookie, count_queries
):
    with count_queries() as counter:
        response = client.get("/healthz")
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert counter.statements == ["SELECT 1"]


def test_with_the_database_up_an_unknown_page_queries_nothing(
    client, signed_in_cookie, count_queries
):
    with count_queries() as counter:
        response = client.get("/no/such/page")
    assert_site_layout(response, 404)
    assert counter.count == 0


def test_a_refused_page_still_shows_the_persons_navigation(client, signed_in_cookie):
    response = client.get("/assessment/me")  # trainees only: a 403 for staff
    assert_site_layout(response, 403)
    html = response.get_data(as_text=True)
    assert "Casey Cookie" in html and "Sign out" in html
