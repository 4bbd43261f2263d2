"""The production configuration refuses unsafe settings (a missing or short secret key, debug on,
no https PUBLIC_BASE_URL) and sets safe cookies."""

from __future__ import annotations

import os
import subprocess
import sys
from http.cookies import SimpleCookie
from pathlib import Path

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
        "PUBLIC_BASE_URL": "https://tracker.example.org",
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
        ({"PUBLIC_BASE_URL": None}, "PUBLIC_BASE_URL must be set"),
        ({"PUBLIC_BASE_URL": "  "}, "PUBLIC_BASE_URL must be set"),
        ({"PUBLIC_BASE_URL": "http://tracker.example.org"}, "must be an https address"),
        ({"PUBLIC_BASE_URL": "tracker.example.org"}, "must be an https address"),
        ({"PUBLIC_BASE_URL": "https://"}, "must be an https address"),
        ({"PUBLIC_BASE_URL": "https://tracker.example.org/?next=x"}, "must be an https"),
        (
            {"PUBLIC_BASE_URL": "ftp://tracker.example.org", "ALLOW_INSECURE_BASE_URL": True},
            "must be an http",
        ),
    ],
)
def test_refuses_to_start_unsafely(settings, changes, message):
    with pytest.raises(RuntimeError, match=message):
        create_app(ProductionConfig, {**settings, **changes})


def test_plain_http_only_when_explicitly_allowed(settings):
    trial = {**settings, "PUBLIC_BASE_URL": "http://127.0.0.1:8000"}
    with pytest.raises(RuntimeError, match="ALLOW_INSECURE_BASE_URL=1 allows plain http"):
        create_app(ProductionConfig, trial)
    app = create_app(ProductionConfig, {**trial, "ALLOW_INSECURE_BASE_URL": True})
    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:8000"
    with app.app_context():
        db.engine.dispose()


def test_the_development_address_is_never_a_production_fallback(settings, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    settings.pop("PUBLIC_BASE_URL")
    monkeypatch.setattr(ProductionConfig, "PUBLIC_BASE_URL", None)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL must be set"):
        create_app(ProductionConfig, settings)


@pytest.mark.parametrize(
    ("base_url", "insecure", "refusal"),
    [
        (None, None, "PUBLIC_BASE_URL must be set in production"),
        ("http://tracker.example.org", None, "PUBLIC_BASE_URL must be an https address"),
        ("http://127.0.0.1:8000", "1", None),
    ],
)
def test_a_production_process_refuses_to_start_without_an_https_address(
    tmp_path, base_url, insecure, refusal
):
    """What gunicorn and `flask` do on start: build the app from the environment alone."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PUBLIC_BASE_URL", "ALLOW_INSECURE_BASE_URL", "FLASK_DEBUG")
    }
    env.update(
        TRACKER_ENV="production",
        SECRET_KEY=GOOD_KEY,
        AUDIT_KEYS=f"2026a:{GOOD_AUDIT_KEY}",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}",
        INSTANCE_PATH=str(tmp_path / "instance"),
    )
    if base_url is not None:
        env["PUBLIC_BASE_URL"] = base_url
    if insecure is not None:
        env["ALLOW_INSECURE_BASE_URL"] = insecure
    started = subprocess.run(
        [sys.executable, "-c", "import tracker; tracker.create_app()"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if refusal is None:
        assert started.returncode == 0, started.stderr
    else:
        assert started.returncode != 0
        assert refusal in started.stderr


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
