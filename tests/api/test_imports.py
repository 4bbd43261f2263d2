"""Didactic attendance through the API: the same preview and import as the CSV pages, for a
staff token with the import scope; a second import of the same rows creates nothing."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer
from tests.imports.factories import admitted
from tests.imports.factories import running_program
from tests.imports.test_services import row
from tracker.extensions import db
from tracker.training.models import DidacticEntry


@pytest.fixture
def program(app):
    """A running program with the course map of the import tests."""
    return running_program()


@pytest.fixture
def ann(create_user, program):
    """An admitted trainee of the program."""
    user = create_user("trainee", email="ann@example.org", name="Ann Lee")
    admitted(user, program)
    return user


def _body(program, rows, **more):
    return {
        "program_id": program.id,
        "rows": [{k: v for k, v in r.items() if k != "line"} for r in rows],
        **more,
    }


def test_preview_then_import_then_nothing_new(app, client, program, ann, staff, token_for):
    headers = bearer(token_for(staff, "import_hours"))
    rows = [row(1), row(2, hours="1.5", days_ago=4), row(3, person="nobody@example.org")]
    preview = client.post("/api/v1/imports", json=_body(program, rows), headers=headers)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    body = preview.get_json()
    assert [r["status"] for r in body["rows"]] == ["create", "create", "error"]
    assert body["rows"][2]["reason"].startswith("Unknown person")
    assert db.session.query(DidacticEntry).count() == 0  # a preview writes nothing
    # The error row blocks the import: all or nothing.
    refused = client.post(
        "/api/v1/imports",
        json=_body(program, rows, commit=True, digest=body["digest"]),
        headers=headers,
    )
    assert refused.status_code == 422
    assert db.session.query(DidacticEntry).count() == 0
    good = rows[:2]
    digest = client.post("/api/v1/imports", json=_body(program, good), headers=headers).get_json()[
        "digest"
    ]
    done = client.post(
        "/api/v1/imports", json=_body(program, good, commit=True, digest=digest), headers=headers
    )
    assert done.status_code == 201, done.get_data(as_text=True)
    assert done.get_json()["batch_id"]
    entries = db.session.query(DidacticEntry).all()
    assert sorted(e.status for e in entries) == ["verified", "verified"]
    again = client.post("/api/v1/imports", json=_body(program, good), headers=headers).get_json()
    assert [r["status"] for r in again["rows"]] == ["duplicate", "duplicate"]


def test_import_needs_the_digest_and_the_scope(app, client, program, ann, staff, token_for):
    rows = [row(1)]
    headers = bearer(token_for(staff, "import_hours"))
    missing = client.post(
        "/api/v1/imports", json=_body(program, rows, commit=True), headers=headers
    )
    assert missing.status_code == 422 and missing.get_json()["field"] == "digest"
    reader = bearer(token_for(staff, "read_program"))
    assert (
        client.post("/api/v1/imports", json=_body(program, rows), headers=reader).status_code == 403
    )
    trainee = bearer(token_for(ann))
    assert (
        client.post("/api/v1/imports", json=_body(program, rows), headers=trainee).status_code
        == 403
    )
    unknown = client.post(
        "/api/v1/imports", json={**_body(program, rows), "program_id": 999999}, headers=headers
    )
    assert unknown.status_code == 404
    assert db.session.query(DidacticEntry).count() == 0
