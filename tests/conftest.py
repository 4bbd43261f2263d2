"""Fixtures: an app on a fresh database per test (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), a client, a CLI runner, factories and a query counter.

The schema is always built by the migrations, so the tests run against what production runs.
SQLite: one migrated template file, copied for every test. PostgreSQL: migrated once, and every
table emptied after each test.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text

from config import TestingConfig
from tracker import create_app
from tracker.accounts.models import User
from tracker.accounts.passwords import hash_password
from tracker.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
PASSWORD = "correct horse battery staple"
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database this run uses, so the CI log shows both halves."""
    if TEST_DATABASE_URL:
        return f"database: PostgreSQL ({TEST_DATABASE_URL.split('@')[-1]})"
    return "database: SQLite (a migrated file per test)"


def is_postgres() -> bool:
    """True when this run tests against PostgreSQL."""
    return TEST_DATABASE_URL.startswith("postgresql")


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema once with the migrations; return the URL or the template file path."""
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        app = create_app(
            TestingConfig,
            {
                "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
                "INSTANCE_PATH": str(tmp_path_factory.mktemp("inst")),
            },
        )
        with app.app_context():
            upgrade()
            db.engine.dispose()
        return TEST_DATABASE_URL
    folder = tmp_path_factory.mktemp("template")
    template = folder / "template.db"
    app = create_app(
        TestingConfig,
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}", "INSTANCE_PATH": str(folder)},
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return str(template)


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        # Replica mode skips the audit trail's triggers, which refuse TRUNCATE by design.
        conn.execute(text("SET session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        conn.execute(text("SET session_replication_role = DEFAULT"))
        conn.execute(
            text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :h)"),
            {"h": "0" * 64},
        )
    engine.dispose()


@pytest.fixture
def database_url(_migrated: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    if TEST_DATABASE_URL:
        yield _migrated
        _empty_postgres(_migrated)
        return
    path = tmp_path / "test.db"
    shutil.copyfile(_migrated, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's database (with config overrides)."""
    apps: list[Flask] = []

    def build(**overrides: object) -> Flask:
        settings = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
        settings.update(overrides)
        app = create_app(TestingConfig, settings)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app, inside an application context."""
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (CSRF is on: use `csrf_token(client)` in forms)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    """A CLI runner for `flask` commands."""
    return app.test_cli_runner()


def csrf_token(client: FlaskClient) -> str:
    """Fetch a page with a form and return its CSRF token, as a browser would have it."""
    html = client.get("/account/login").get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, "no CSRF token on the sign-in page"
    return match.group(1) or match.group(2)


def post_form(client: FlaskClient, url: str, data: dict | None = None, **kwargs: object):
    """POST a form with a valid CSRF token."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=payload, **kwargs)


@pytest.fixture
def create_user(app: Flask) -> Callable[..., User]:
    """Create an account: create_user("staff", "admin", email=..., name=...)."""
    counter = {"n": 0}

    def factory(
        *roles: str,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        active: bool = True,
    ) -> User:
        counter["n"] += 1
        user = User(
            email=email or f"person{counter['n']}@example.org",
            full_name=name or f"Person {counter['n']}",
            password_hash=hash_password(password) if password else None,
            active=active,
        )
        for role in roles:
            setattr(user, f"is_{role}", True)
        db.session.add(user)
        db.session.commit()
        return user

    return factory


def login(client: FlaskClient, user: User, password: str = PASSWORD):
    """Sign `user` in through the sign-in form."""
    response = post_form(client, "/account/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def auth(client: FlaskClient):
    """`auth.login(user)` / `auth.logout()` on the default client."""

    class Auth:
        def login(self, user: User, password: str = PASSWORD):
            return login(client, user, password)

        def logout(self):
            return post_form(client, "/account/logout")

    return Auth()


@pytest.fixture
def mail_outbox(app: Flask) -> list:
    """Messages the app sent during the test."""
    from tracker.mail import outbox

    return outbox()


class QueryCounter:
    """Counts SQL statements executed inside `with counter:`."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, *args: object) -> None:
        statement = str(args[2])
        # Transaction control is not a query, and whether it shows depends on the test's context.
        if (
            statement.strip()
            .upper()
            .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
        ):
            return
        self.count += 1
        self.statements.append(statement[:200])


@pytest.fixture
def count_queries(app: Flask):
    """`with count_queries() as counter: ...` then read `counter.count`."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture(autouse=True, scope="session")
def _fresh_globals_per_request() -> Iterator[None]:
    """Start every request with an empty `g`, as production does.

    The `app` fixture keeps one application context pushed, and Flask lets requests reuse it, so
    without this the signed-in user (Flask-Login's `g._login_user`) and the CSRF token would
    leak from one request, and one client, to the next.
    """
    from flask import g, request_started

    def reset(_sender: Flask, **_extra: object) -> None:
        for name in list(vars(g)):
            delattr(g, name)

    request_started.connect(reset, weak=False)
    yield
    request_started.disconnect(reset)
