"""Security headers on every response, errors included, and a 500 that tells the visitor an
incident id while the log keeps the traceback."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.security.conftest import BOOM_DETAIL
from tracker.accounts.models import User
from tracker.extensions import db

_INCIDENT = re.compile(r"incident <strong><code>([0-9a-f]{12})</code></strong>")


def _directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response) -> None:
    """The headers every response carries, whatever its status."""
    csp = _directives(response)
    assert csp, f"no Content-Security-Policy on {response.status}"
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert "*" not in scripts
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp.get("style-src", [])
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}
    assert response.headers["X-Request-ID"]


def test_headers_on_a_200(client):
    response = client.get("/account/login")
    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_headers_on_a_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert_security_headers(response)


def test_headers_on_redirects_and_refusals(client, create_user, auth):
    assert_security_headers(client.get("/account/sessions"))  # 302 to sign-in
    auth.login(create_user("trainee"))
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert_security_headers(response)


def test_headers_on_static_files(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert_security_headers(response)


def _plain_get_urls(app) -> list[str]:
    """Every GET page that takes no argument (static files and downloads aside)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if (
            "GET" in rule.methods
            and not rule.arguments
            and "static" not in rule.endpoint
            and not rule.rule.endswith((".csv", ".zip", ".pdf", ".json"))
            and rule.rule != "/healthz"
            # The API answers JSON to a token, never a page (its reference page aside).
            and (not rule.rule.startswith("/api/") or rule.rule == "/api/v1/docs")
        ):
            urls.append(rule.rule)
    return sorted(urls)


def test_no_page_uses_inline_script_or_style(app, client, create_user, auth):
    """What the policy forbids must not be needed: no inline script, handler or style, on
    every page a staff member, a supervisor or a trainee opens."""
    pages = [client.get("/account/login"), client.get("/account/register")]
    for roles in (("staff", "admin", "supervisor"), ("trainee",)):
        auth.login(create_user(*roles))
        pages += [client.get(url, follow_redirects=True) for url in _plain_get_urls(app)]
        auth.logout()
    pages = [page for page in pages if page.status_code != 403]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page.request.path
        assert not re.search(r"\son[a-z]+\s*=", html), page.request.path
        assert not re.search(r"<style|\sstyle\s*=", html), page.request.path
        assert not re.search(r"(src|href)=\"(https?:)?//", html), page.request.path


def test_a_500_shows_an_incident_id_and_no_traceback(failing_app, caplog):
    caplog.set_level(logging.INFO)
    response = failing_app.test_client().get("/boom", headers={"X-Request-ID": "req-12345678"})
    assert response.status_code == 500
    assert_security_headers(response)
    html = response.get_data(as_text=True)
    match = _INCIDENT.search(html)
    assert match, html
    incident = match.group(1)
    for leak in ("Traceback", "Boom", BOOM_DETAIL, "DEADBEEF", ".py", "line "):
        assert leak not in html
    assert '<main id="main"' in html  # the site's own layout, not a bare server page
    logged = [record for record in caplog.records if incident in record.getMessage()]
    assert len(logged) == 1
    assert logged[0].levelno == logging.ERROR
    assert logged[0].exc_info is not None
    assert "req-12345678" in logged[0].getMessage()
    text = caplog.text
    assert "Traceback" in text
    assert BOOM_DETAIL in text


def test_two_failures_get_different_incident_ids(failing_app):
    client = failing_app.test_client()
    first = _INCIDENT.search(client.get("/boom").get_data(as_text=True)).group(1)
    second = _INCIDENT.search(client.get("/boom").get_data(as_text=True)).group(1)
    assert first != second


def test_a_500_saves_nothing(failing_app):
    client = failing_app.test_client()
    response = client.post("/boom-after-write", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 500
    with failing_app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(User).where(User.email == "half.done@example.org")
        )
    assert count == 0


@pytest.mark.parametrize("incoming", ["<script>", "x" * 200, "short"])
def test_a_request_id_from_outside_is_only_echoed_when_harmless(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] != incoming
    assert re.fullmatch(r"[A-Za-z0-9\-]{8,64}", response.headers["X-Request-ID"])
