"""Verification is public, so it is rate limited: 60 verifications and 10 look-ups a minute
from one address; beyond that the site's 429 page."""

from __future__ import annotations

import re

from tests.conftest import csrf_token


def test_verification_is_limited_to_60_a_minute(make_app, certificate):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    path = f"/verify/{certificate.verification_code}"
    codes = [client.get(path).status_code for _ in range(60)]
    assert codes == [200] * 60
    response = client.get(path)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert re.search(r"Too many look-ups: try again in \d+ seconds", html)
    assert "Jordan Avery" not in html
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_unknown_codes_count_too(make_app, certificate):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    codes = [client.get(f"/verify/guess{i}").status_code for i in range(61)]
    assert codes[:60] == [404] * 60
    assert codes[60] == 429


def test_look_ups_are_limited_to_10_a_minute(make_app, certificate):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    token = csrf_token(client)
    data = {"csrf_token": token, "number": certificate.number, "last_name": "Wrong"}
    responses = [client.post("/verify", data=data) for _ in range(11)]
    assert [r.status_code for r in responses] == [200] * 10 + [429]
    html = responses[-1].get_data(as_text=True)
    assert re.search(r"Too many look-ups: try again in \d+ seconds\.", html)
    assert "The limit is 10 per minute." in html
    assert 'href="/verify"' in html  # back to the look-up form
    assert "10 per 1 minute" not in html
    assert client.get("/verify").status_code == 200  # the form itself is not counted
