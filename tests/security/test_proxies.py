"""Behind a reverse proxy every client connects from the proxy's address. With TRUSTED_PROXIES
set, the client's address, scheme and host come from the headers the proxy sets, so the rate
limits count each client apart and one client's failed sign-ins block nobody else; with 0 (the
default) those headers are ignored, so no client can choose the address it is counted under."""

from __future__ import annotations

import pytest
from flask import request

from config import TestingConfig
from tests.conftest import PASSWORD
from tests.conftest import csrf_token
from tests.conftest import post_form
from tracker import create_app
from tracker.extensions import client_address
from tracker.security.access import Anyone
from tracker.security.access import allow

PROXY = "10.0.0.2"  # where every request comes from: the proxy on the same network
SIGN_IN_LIMIT = 30  # sign-in attempts a minute from one address


def _with_probe(app):
    """Add a page that shows whom the app thinks it is talking to."""

    @app.get("/test-probe")
    @allow(Anyone)
    def probe():
        return {
            "address": request.remote_addr,
            "scheme": request.scheme,
            "host": request.host,
            "counted_as": client_address(),
        }

    return app


def _probe(app, **headers: str) -> dict:
    client = app.test_client()
    response = client.get("/test-probe", headers=headers, environ_base={"REMOTE_ADDR": PROXY})
    assert response.status_code == 200
    return response.get_json()


FORWARDED = {
    "X-Forwarded-For": "192.0.2.1, 203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "tracker.example.org",
}


def test_by_default_forwarded_headers_are_ignored(make_app):
    seen = _probe(_with_probe(make_app()), **FORWARDED)
    assert seen == {
        "address": PROXY,
        "scheme": "http",
        "host": "localhost",
        "counted_as": PROXY,
    }


def test_one_trusted_proxy_gives_the_address_it_saw(make_app):
    """The proxy appends the address it saw to whatever the client sent: only that last value
    counts, so a client that sends its own X-Forwarded-For changes nothing."""
    seen = _probe(_with_probe(make_app(TRUSTED_PROXIES=1)), **FORWARDED)
    assert seen == {
        "address": "203.0.113.9",
        "scheme": "https",
        "host": "tracker.example.org",
        "counted_as": "203.0.113.9",
    }


def test_two_trusted_proxies_give_the_address_the_outer_one_saw(make_app):
    app = _with_probe(make_app(TRUSTED_PROXIES=2))
    seen = _probe(app, **{"X-Forwarded-For": "192.0.2.1, 203.0.113.9, 10.0.0.1"})
    assert seen["address"] == "203.0.113.9"


def test_an_ipv6_client_is_counted_by_its_network(make_app):
    """One subscriber holds a whole /64: counting each of its addresses apart would give it
    billions of allowances."""
    app = _with_probe(make_app(TRUSTED_PROXIES=1))
    first = _probe(app, **{"X-Forwarded-For": "2001:db8:1:2::5"})
    second = _probe(app, **{"X-Forwarded-For": "2001:db8:1:2:aaaa::6"})
    other = _probe(app, **{"X-Forwarded-For": "2001:db8:1:3::5"})
    assert first["counted_as"] == second["counted_as"] == "2001:db8:1:2::/64"
    assert other["counted_as"] == "2001:db8:1:3::/64"
    mapped = _probe(app, **{"X-Forwarded-For": "::ffff:203.0.113.9"})
    assert mapped["counted_as"] == "203.0.113.9"


def test_a_negative_number_of_proxies_is_refused(database_url, tmp_path):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app(
            TestingConfig,
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "INSTANCE_PATH": str(tmp_path),
                "TRUSTED_PROXIES": -1,
            },
        )


def _sign_in(client, address: str, email: str, password: str):
    return post_form(
        client,
        "/account/login",
        {"email": email, "password": password},
        headers={"X-Forwarded-For": address},
        environ_base={"REMOTE_ADDR": PROXY},
    )


def _guess_until_blocked(client, address: str) -> list[int]:
    return [
        _sign_in(client, address, f"guess{n}@example.org", "a wrong guess here").status_code
        for n in range(SIGN_IN_LIMIT + 1)
    ]


def test_a_blocked_client_does_not_block_others_behind_the_proxy(make_app, create_user):
    user = create_user("trainee")
    app = make_app(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True)
    attacker = app.test_client()
    assert _guess_until_blocked(attacker, "203.0.113.66") == [200] * SIGN_IN_LIMIT + [429]
    # Claiming another client's address in the header does not help: the proxy appends the
    # address it saw, and that is the one counted.
    forged = _sign_in(attacker, "198.51.100.7, 203.0.113.66", user.email, PASSWORD)
    assert forged.status_code == 429
    colleague = app.test_client()
    response = _sign_in(colleague, "198.51.100.7", user.email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"


def test_without_trusted_proxies_every_client_shares_the_proxys_limit(make_app, create_user):
    """The default: the header is ignored, so changing it at every try escapes nothing (and,
    behind a proxy, everybody shares the proxy's allowance: set TRUSTED_PROXIES)."""
    user = create_user("trainee")
    app = make_app(RATELIMIT_ENABLED=True)
    attacker = app.test_client()
    codes = [
        _sign_in(attacker, f"203.0.113.{n}", f"guess{n}@example.org", "wrong guess").status_code
        for n in range(SIGN_IN_LIMIT + 1)
    ]
    assert codes == [200] * SIGN_IN_LIMIT + [429]
    colleague = app.test_client()
    assert _sign_in(colleague, "198.51.100.7", user.email, PASSWORD).status_code == 429


def test_a_sign_in_over_https_through_the_proxy(make_app, create_user):
    """Over HTTPS the CSRF check also wants the Referer to name this site: the host the proxy
    forwards is the one compared, so the public address works and another does not."""
    user = create_user("trainee")
    app = make_app(TRUSTED_PROXIES=1)
    client = app.test_client()
    through_proxy = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "tracker.example.org",
    }
    token = csrf_token(client)
    form = {"csrf_token": token, "email": user.email, "password": PASSWORD}
    elsewhere = client.post(
        "/account/login",
        data=form,
        headers={**through_proxy, "Referer": "https://evil.example.net/account/login"},
        environ_base={"REMOTE_ADDR": PROXY},
    )
    assert elsewhere.status_code == 400
    response = client.post(
        "/account/login",
        data=form,
        headers={**through_proxy, "Referer": "https://tracker.example.org/account/login"},
        environ_base={"REMOTE_ADDR": PROXY},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
