"""No GET request writes: every GET route, walked as each role over the demo, leaves every table
as it was (rows and contents), but for the sign-in session's last-seen time.

The demo (`flask demo`) is loaded once per role, its snapshots left as the demo's own writes
marked them (stale: the state in which a list was most tempted to store what it computed).
Each route's URL variables are filled with the ids of real records, every record of the table
(the demo is small), so the role's own records are among them; a role that may not see one gets
a 403 or 404, which must not write either.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from sqlalchemy import Table
from sqlalchemy import select
from werkzeug.routing import Rule

from tests.conftest import PASSWORD
from tests.conftest import login
from tracker.accounts.models import User
from tracker.api.scopes import allowed_scopes
from tracker.api.services import create_token
from tracker.demo.data import load_demo
from tracker.extensions import db
from tracker.progress.requirements import DEFAULT_SCENARIOS
from tracker.progress.requirements import DOCUMENT_KINDS
from tracker.reports.catalogue import REPORTS
from tracker.security.access import rule_for

ROLES = {
    "anonymous": None,
    "trainee": "trainee@example.org",
    "supervisor": "supervisor@example.org",
    "staff and admin": "staff@example.org",
}
# The one column a read may change: when the sign-in session was last seen (written at most once
# a minute, so that an idle session expires).
# (An API token's last use likewise.)
IGNORED_COLUMNS = {("login_sessions", "last_seen_at"), ("api_tokens", "last_used_at")}
# URL variables no stored record gives: the raw tokens of password resets and invitations exist
# only in the e-mail (the database keeps their hash), so those pages are read with a token that
# matches nothing, which still runs their GET handling.
NO_RECORD = {"token": "no-such-token"}


def _table(name: str) -> Table:
    return db.metadata.tables[name]


def _column(table: str, column: str = "id") -> list:
    values = db.session.scalars(select(_table(table).c[column]).order_by(_table(table).c[column]))
    return [value for value in values if value is not None]


def _entries() -> list[dict]:
    return [
        {"entry_type": entry_type, "entry_id": entry_id}
        for entry_type, table in (
            ("didactic", "didactic_entries"),
            ("experiential", "experiential_entries"),
            ("session", "supervised_sessions"),
        )
        for entry_id in _column(table)
    ]


def _by_name(name: str) -> list:
    tables = {
        "user_id": "users",
        "program_id": "programs",
        "track_id": "tracks",
        "cohort_id": "cohorts",
        "file_id": "stored_files",
        "licence_id": "licences",
        "insurance_id": "insurances",
        "reference_id": "application_references",
        "record_id": "continuing_education",
        "session_id": "supervised_sessions",
        "presentation_id": "case_presentations",
        "enrollment_id": "enrollments",
        "certificate_id": "certificates",
        "attempt_id": "exam_attempts",
        "endpoint_id": "webhook_endpoints",
        "batch_id": "import_batches",
        "draft_id": "import_drafts",
        "list_id": "credential_status_lists",
    }
    if name in tables:
        return _column(tables[name])
    if name == "kind":
        return list(DOCUMENT_KINDS)
    if name == "key":  # the reports
        return list(REPORTS)
    if name in NO_RECORD:
        return [NO_RECORD[name]]
    raise AssertionError(f"no records known for the URL variable <{name}>: add them here")


def _values(rule: Rule) -> list[dict]:
    """Every set of URL values to request the rule with."""
    by_rule = {
        "/training/didactic/<int:entry_id>/edit": lambda: [
            {"entry_id": i} for i in _column("didactic_entries")
        ],
        "/training/experiential/<int:entry_id>/edit": lambda: [
            {"entry_id": i} for i in _column("experiential_entries")
        ],
        "/training/didactic/<int:entry_id>/delete": lambda: [
            {"entry_id": i} for i in _column("didactic_entries")
        ],
        "/training/experiential/<int:entry_id>/delete": lambda: [
            {"entry_id": i} for i in _column("experiential_entries")
        ],
        "/finance/receipts/<int:entry_id>": lambda: [
            {"entry_id": i} for i in _column("ledger_entries")
        ],
        "/finance/enrollments/<int:enrollment_id>/entries/<int:entry_id>/void": lambda: [
            {"enrollment_id": enrollment_id, "entry_id": entry_id}
            for entry_id, enrollment_id in db.session.execute(
                select(_table("ledger_entries").c.id, _table("ledger_entries").c.enrollment_id)
            )
        ],
        "/api/v1/didactic/<int:entry_id>": lambda: [
            {"entry_id": i} for i in _column("didactic_entries")
        ],
        "/api/v1/experiential/<int:entry_id>": lambda: [
            {"entry_id": i} for i in _column("experiential_entries")
        ],
        "/api/v1/ce/<int:entry_id>": lambda: [
            {"entry_id": i} for i in _column("continuing_education")
        ],
        "/api/v1/sessions/<int:entry_id>": lambda: [
            {"entry_id": i} for i in _column("supervised_sessions")
        ],
        "/api/v1/verify/<code>": lambda: [
            {"code": c} for c in _column("certificates", "verification_code")
        ],
        "/signoffs/<entry_type>/<int:entry_id>": _entries,
        "/signoffs/mine/<entry_type>/<int:entry_id>": _entries,
        "/applications/scenarios/<code>": lambda: [{"code": c} for c, _ in DEFAULT_SCENARIOS],
        "/verify/<code>": lambda: [
            {"code": c} for c in _column("certificates", "verification_code")
        ],
        # Transcripts' codes and ids (none in the demo: a code that matches nothing is read).
        "/verify/transcripts/<code>": lambda: [
            {"code": c} for c in [*_column("transcript_records", "code"), "no-such-code"]
        ],
        "/transcripts/<int:record_id>/transcript.pdf": lambda: [
            {"record_id": i} for i in [*_column("transcript_records"), 1]
        ],
        "/verify/<code>/credential.json": lambda: [
            {"code": c} for c in _column("certificates", "verification_code")
        ],
    }
    if rule.rule in by_rule:
        return by_rule[rule.rule]()
    if "evaluation_id" in rule.arguments:
        table = _table("case_evaluations" if "/case/" in rule.rule else "competency_evaluations")
        rows = db.session.execute(select(table.c.enrollment_id, table.c.id))
        return [{"enrollment_id": e, "evaluation_id": i} for e, i in rows]
    if {"track_id", "number"} <= set(rule.arguments):
        rows = db.session.execute(
            select(_table("requirement_sets").c.track_id, _table("requirement_sets").c.version)
        )
        return [{"track_id": track, "number": number} for track, number in rows]
    names = sorted(rule.arguments)
    choices = [_by_name(name) for name in names]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)]


def _get_rules(app: Flask) -> Iterator[Rule]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" in (rule.methods or ()) and rule.endpoint not in ("static", "bootstrap.static"):
            yield rule


def _dump() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, without the ignored columns."""
    db.session.rollback()  # read what is committed
    dump = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.c if (table.name, c.name) not in IGNORED_COLUMNS]
        order = list(table.primary_key.columns) or columns
        dump[table.name] = [
            tuple(row) for row in db.session.execute(select(*columns).order_by(*order))
        ]
    db.session.rollback()
    return dump


def _differences(before: dict, after: dict) -> list[str]:
    found = []
    for name, rows in before.items():
        if rows != after[name]:
            added = [row for row in after[name] if row not in rows]
            removed = [row for row in rows if row not in after[name]]
            found.append(
                f"{name}: {len(rows)} -> {len(after[name])} rows; now {added[:3]}, "
                f"was {removed[:3]}"
            )
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_get_request_changes_any_table(app: Flask, role: str) -> None:
    load_demo(password=PASSWORD)
    db.session.commit()
    client: FlaskClient = app.test_client()
    email = ROLES[role]
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    api_headers = {}
    if user is not None:
        login(client, user, PASSWORD)
        # The API is read with a token holding every scope the role allows.
        secret = create_token(user, "Every scope", allowed_scopes(user)).secret
        db.session.commit()
        api_headers = {"Authorization": f"Bearer {secret}"}
        user.api_scopes = allowed_scopes(user)
    person = user if user is not None else AnonymousUserMixin()
    before = _dump()
    assert sum(len(rows) for rows in before.values()) > 200  # the demo is there
    statuses: dict[int, int] = {}
    served_errors = []
    for rule in _get_rules(app):
        # A route the role's access rule refuses is refused before any record is read: once.
        every = _values(rule)
        for values in every if rule_for(rule.endpoint).allows(person) else every[:1]:
            path = rule.build(values, append_unknown=False)[1]
            headers = api_headers if path.startswith("/api/") else {}
            response = client.get(path, headers=headers)
            response.get_data()  # a streamed body (the CSV) is produced while it is read
            response.close()  # a file sent from the uploads folder
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                served_errors.append(f"{path}: {response.status_code}")
            db.session.rollback()
    after = _dump()
    assert served_errors == []
    assert statuses.get(200, 0) > (5 if user is None else 50), statuses
    assert _differences(before, after) == []
