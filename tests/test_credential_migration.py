"""Migration 20261129_12 on a database with data: existing tracks get "<program> certificate" as
their credential, existing certificates take their track's (the program's when the enrollment
has no track), keep no stored verification address (theirs is computed from the current
setting) and staff have no job title yet."""

from __future__ import annotations

import logging

from sqlalchemy import text

from tracker.extensions import db

BEFORE = "20261129_11"
NOW = "2026-01-05 10:00:00+00:00"


def _flask_db(runner, *args: str):
    return runner.invoke(args=["db", *args])


def _insert(connection, table: str, **values: object) -> None:
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)  # noqa: S608


def _certificate(connection, number: int, enrollment_id: int) -> None:
    _insert(
        connection,
        "certificates",
        id=number,
        enrollment_id=enrollment_id,
        number=f"KAP-2025-{number:06d}",
        verification_code=f"{number}" * 40,
        printed_name=f"Holder {number}",
        program_name="Harbor Institute",  # as printed then: the program was renamed since
        issued_on="2025-06-01",
        created_at=NOW,
    )


def test_existing_rows_get_sensible_values(app, runner, caplog):
    caplog.set_level(logging.INFO)
    db.session.remove()
    try:
        down = _flask_db(runner, "downgrade", BEFORE)
        assert down.exit_code == 0, caplog.text + down.output
        with db.engine.begin() as connection:
            _insert(connection, "programs", id=1, name="Harbor KAP Institute", description="",
                    timezone="UTC", created_at=NOW)  # fmt: skip
            _insert(connection, "tracks", id=1, program_id=1, name="Online", format="online",
                    tuition_cents=0, description="")  # fmt: skip
            for user in (1, 2):
                _insert(connection, "users", id=user, email=f"holder{user}@example.org",
                        full_name=f"Holder {user}", created_at=NOW)  # fmt: skip
            for enrollment, track in ((1, 1), (2, None)):
                _insert(connection, "enrollments", id=enrollment, trainee_id=enrollment,
                        program_id=1, track_id=track, status="admitted", pathway="standard",
                        pathway_reason="", created_at=NOW, decision_note="")  # fmt: skip
                _certificate(connection, enrollment, enrollment)
    finally:
        up = _flask_db(runner, "upgrade")
    assert up.exit_code == 0, caplog.text + up.output
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT credential_name FROM tracks")).scalar() == (
            "Harbor KAP Institute certificate"
        )
        rows = connection.execute(
            text("SELECT id, credential_name, verification_url FROM certificates ORDER BY id")
        ).all()
        assert [tuple(row) for row in rows] == [
            (1, "Harbor KAP Institute certificate", None),  # its track's
            (2, "Harbor Institute certificate", None),  # no track: the printed program's
        ]
        titles = connection.execute(text("SELECT DISTINCT job_title FROM users")).scalars()
        assert list(titles) == [""]
