"""The production configuration refuses unsafe settings and sets safe cookies."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from config import ProductionConfig
from config import _audit_keys
from tests.conftest import PASSWORD
from tests.conftest import post_form
from tracker import create_app
from tracker.accounts.models import User
from tracker.accounts.passwords import hash_password
from tracker.extensions import db

GOOD_KEY = "a-production-secret-key-of-plenty-of-characters"
GOOD_AUDIT_KEY = "a-production-audit-key-of-plenty-of-characters"


@pytest.fixture
def settings(database_url, tmp_path):
    """Production settings that are safe, on this test's database."""
    return {
        "SECRET_KEY": GOOD_KEY,
        "AUDIT_KEYS": {"2026a": GOOD_AUDIT_KEY},
        "AUDIT_KEY_ID": "2026a",
        "DEBUG": False,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture
def production_app(settings):
    """A production app (disposed afterwards)."""
    app = create_app(ProductionConfig, settings)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short-key"}, "SECRET_KEY"),
        ({"DEBUG": True}, "DEBUG"),
        ({"AUDIT_KEYS": {}}, "AUDIT_KEYS must be set"),
        ({"AUDIT_KEYS": None}, "AUDIT_KEYS must be set"),
        ({"AUDIT_KEYS": {"2026a": "short-audit-key"}}, "at least 32 characters"),
        ({"AUDIT_KEYS": {"2026a": ""}}, "has no secret"),
        ({"AUDIT_KEYS": {"a b": GOOD_AUDIT_KEY}, "AUDIT_KEY_ID": None}, "key id 'a b'"),
        ({"AUDIT_KEY_ID": "2025z"}, "AUDIT_KEY_ID '2025z'"),
    ],
)
def test_refuses_to_start_unsafely(settings, changes, message):
    with pytest.raises(RuntimeError, match=message):
        create_app(ProductionConfig, {**settings, **changes})


def test_the_development_key_is_never_a_production_fallback(settings, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings.pop("SECRET_KEY")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, settings)


def test_the_development_audit_key_is_never_a_production_fallback(settings, monkeypatch):
    monkeypatch.delenv("AUDIT_KEYS", raising=False)
    settings.pop("AUDIT_KEYS")
    settings.pop("AUDIT_KEY_ID")
    monkeypatch.setattr(ProductionConfig, "AUDIT_KEYS", {})
    with pytest.raises(RuntimeError, match="AUDIT_KEYS"):
        create_app(ProductionConfig, settings)


def test_audit_keys_are_read_from_the_environment():
    """`id:secret` pairs, comma-separated; the current key is the last unless AUDIT_KEY_ID says."""
    assert _audit_keys(" 2025a:first-secret , 2026a:second:secret,") == {
        "2025a": "first-secret",
        "2026a": "second:secret",
    }
    assert _audit_keys(None) == {}


def _https_client(app):
    """A client that speaks HTTPS, as browsers do with the production site."""
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


def _session_cookie(response) -> dict[str, str | bool]:
    headers = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("kap_session=")]
    assert headers, response.headers
    morsel = SimpleCookie(headers[-1])["kap_session"]
    return {key: morsel[key] for key in ("secure", "httponly", "samesite", "domain", "path")}


def test_cookies_are_secure_httponly_and_samesite(production_app):
    assert not production_app.debug
    client = _https_client(production_app)
    response = client.get("/account/login")
    assert response.status_code == 200
    cookie = _session_cookie(response)
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] in ("Lax", "Strict")


def test_the_signed_in_cookie_is_secure_too(production_app):
    with production_app.app_context():
        db.session.add(
            User(
                email="prod@example.org",
                full_name="Prod Person",
                password_hash=hash_password(PASSWORD),
                is_trainee=True,
            )
        )
        db.session.commit()
    client = _https_client(production_app)
    response = post_form(
        client,
        "/account/login",
        {"email": "prod@example.org", "password": PASSWORD},
        headers={"Referer": "https://localhost/account/login"},  # checked over HTTPS
    )
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] in ("Lax", "Strict")
    assert not any(
        value.startswith("remember_token=") for value in response.headers.getlist("Set-Cookie")
    )
    assert client.get("/account/sessions").status_code == 200


def test_production_errors_show_no_debugger(production_app):
    response = _https_client(production_app).get("/nope")
    assert response.status_code == 404
    assert "Werkzeug Debugger" not in response.get_data(as_text=True)
