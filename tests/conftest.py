"""Fixtures: one app per test session (per xdist worker) on a database made fresh for every test
(SQLite by default, PostgreSQL when TEST_DATABASE_URL is set), a client, a CLI runner, factories
and a query counter.

The schema is always built by the migrations, so the tests run against what production runs.
SQLite: one migrated template file per worker, copied over the worker's database file before
every test. PostgreSQL: each xdist worker has its own database (`<name>_gw0`, created when
missing), migrated once, and the tables a test wrote to are emptied after it.
The app keeps no state between tests: its configuration, instance and upload folders, mail
outbox and rate-limit storage are reset before each one.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import make_url
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from config import TestingConfig
from tracker import create_app
from tracker.accounts.models import User
from tracker.accounts.passwords import configure as configure_passwords
from tracker.accounts.passwords import hash_password
from tracker.extensions import db
from tracker.extensions import limiter
from tracker.factories.accounts import make_user

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
PASSWORD = "correct horse battery staple"
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database this run uses, so the CI log shows both halves."""
    if TEST_DATABASE_URL:
        return f"database: PostgreSQL ({TEST_DATABASE_URL.split('@')[-1]}, one per worker)"
    return "database: SQLite (a migrated template copied for every test)"


def is_postgres() -> bool:
    """True when this run tests against PostgreSQL."""
    return TEST_DATABASE_URL.startswith("postgresql")


def _worker_postgres_url() -> str:
    """This worker's database: TEST_DATABASE_URL's, suffixed with the xdist worker, created if
    missing (workers must not empty each other's tables)."""
    if not WORKER:
        return TEST_DATABASE_URL
    base = make_url(TEST_DATABASE_URL)
    name = f"{base.database}_{WORKER}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar()
            for attempt in range(10):
                if exists:
                    break
                try:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                    break
                except DBAPIError:
                    # Two workers copying template1 at once: one waits and tries again.
                    if attempt == 9:
                        raise
                    time.sleep(0.5)
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _build(url: str, folder: Path, **overrides: object) -> Flask:
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(folder / "instance"),
        "UPLOAD_FOLDER": str(folder / "uploads"),
    }
    settings.update(overrides)
    return create_app(TestingConfig, settings)


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema once with the migrations; return the URL or the template file path."""
    if TEST_DATABASE_URL:
        url = _worker_postgres_url()
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        app = _build(url, tmp_path_factory.mktemp("migrate"))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        return url
    folder = tmp_path_factory.mktemp("template")
    template = folder / "template.db"
    app = _build(f"sqlite:///{template}", folder)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return str(template)


@pytest.fixture(scope="session")
def _live_database(_migrated: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL every test of this worker uses (the same file or database throughout)."""
    if TEST_DATABASE_URL:
        return _migrated
    return f"sqlite:///{tmp_path_factory.mktemp('live') / 'test.db'}"


@pytest.fixture(scope="session")
def _session_app(
    _live_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, dict]]:
    """The app every test shares, built once, and its configuration as built."""
    app = _build(_live_database, tmp_path_factory.mktemp("app"))
    yield app, dict(app.config)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class _Emptier:
    """Empties a PostgreSQL database after a test.

    Only the tables that hold rows are emptied, with DELETE, and only the sequences that were
    used start again: TRUNCATE of every table replaces files on disk and took a second per test.
    """

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, pool_size=1)

    def __call__(self) -> None:
        with self.engine.begin() as conn:
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('alembic_version', 'audit_head')"
                )
            ).scalars()
            # Table and sequence names come from the catalogue, not from input.
            probe = " UNION ALL ".join(
                f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")"  # noqa: S608
                for t in tables
            )
            filled = list(conn.execute(text(probe)).scalars())
            used = list(
                conn.execute(
                    text(
                        "SELECT sequencename FROM pg_sequences "
                        "WHERE schemaname = 'public' AND last_value IS NOT NULL"
                    )
                ).scalars()
            )
            # Replica mode skips triggers: the audit trail's, which refuse DELETE by design, and
            # the foreign keys', so the tables can be emptied in any order.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in filled:
                conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608
            for sequence in used:
                conn.execute(text("SELECT setval(:s, 1, false)"), {"s": f'"{sequence}"'})
            conn.execute(text("DELETE FROM audit_head"))
            conn.execute(
                text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :h)"),
                {"h": "0" * 64},
            )


@pytest.fixture(scope="session")
def _emptier(_live_database: str) -> Iterator[_Emptier | None]:
    if not TEST_DATABASE_URL:
        yield None
        return
    emptier = _Emptier(_live_database)
    yield emptier
    emptier.engine.dispose()


@pytest.fixture
def database_url(
    _migrated: str,
    _live_database: str,
    _session_app: tuple[Flask, dict],
    _emptier: _Emptier | None,
) -> Iterator[str]:
    """A fresh, migrated database for one test (the same URL for every test of a worker)."""
    if _emptier is not None:
        yield _live_database
        _emptier()
        return
    app, _config = _session_app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # no pooled connection may outlive the file it opened
    path = Path(_live_database.removeprefix("sqlite:///"))
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(_migrated, path)
    yield _live_database


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build a separate app on this test's database (with config overrides): for tests that
    need other settings or add routes of their own."""
    apps: list[Flask] = []

    def build(**overrides: object) -> Flask:
        app = _build(database_url, tmp_path, **overrides)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(_session_app: tuple[Flask, dict], database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The shared app, reset for this test, inside an application context."""
    app, config = _session_app
    app.config.clear()
    app.config.update(config)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    app.instance_path = str(tmp_path / "instance")
    Path(app.instance_path).mkdir(exist_ok=True)
    app.extensions.pop("mail_outbox", None)
    # Process-wide settings that building another app (make_app, a production app) replaces.
    limiter.init_app(app)  # its enabled flag and in-memory counts
    configure_passwords(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_KIB"))
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
        user = make_user(
            email or f"person{counter['n']}@example.org",
            name or f"Person {counter['n']}",
            roles,
            hash_password(password) if password else None,
            active=active,
        )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def staff(create_user: Callable[..., User]) -> User:
    """A staff member (packages that need another one define their own)."""
    return create_user("staff", name="Morgan Staff", email="morgan@example.org")


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
def as_staff(client: FlaskClient, auth, staff: User) -> FlaskClient:
    """The default client, signed in as `staff`."""
    auth.login(staff)
    return client


@pytest.fixture
def mail_outbox(app: Flask) -> list:
    """Messages the app sent during the test (the worker sends them: `run_jobs()` first)."""
    from tracker.mail import outbox

    return outbox()


@pytest.fixture
def run_jobs(app: Flask) -> Callable[..., object]:
    """`run_jobs()` does the worker's work now: runs every job that is due (mail above all) and
    returns what ran (`.done`, `.retried`, `.failed`). Requests only queue their mail."""
    from tracker.jobs.services import run_due

    def run(**options: object):
        return run_due(**options)

    return run


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
    from flask import g
    from flask import request_started

    def reset(_sender: Flask, **_extra: object) -> None:
        for name in list(vars(g)):
            delattr(g, name)

    request_started.connect(reset, weak=False)
    yield
    request_started.disconnect(reset)
