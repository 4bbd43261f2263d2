"""A snapshot's item codes, a row per code: written with the snapshot, never apart from it."""

from __future__ import annotations

import logging

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update

from tests.training.factories import make_enrollment
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.enrollments.models import ProgressSnapshotCode
from tracker.extensions import db
from tracker.standing import snapshots
from tracker.standing.snapshots import _recompute
from tracker.standing.snapshots import refresh
from tracker.standing.snapshots import scopes


def _code_rows(enrollment_id: int) -> list[str]:
    return sorted(
        db.session.scalars(
            select(ProgressSnapshotCode.code).where(
                ProgressSnapshotCode.enrollment_id == enrollment_id
            )
        )
    )


def _stored_codes(enrollment_id: int) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.get(ProgressSnapshot, enrollment_id).codes.split())


def _with_codes(monkeypatch, codes: dict[int, str]) -> None:
    """Make the refresh store these codes for these enrollments (the engine's, for the rest)."""
    real = snapshots._values

    def values(loaded, today):
        found = real(loaded, today)
        if loaded.row.id in codes:
            found["codes"] = codes[loaded.row.id]
        return found

    monkeypatch.setattr(snapshots, "_values", values)


def test_a_refresh_stores_a_row_per_code_of_the_snapshot(create_user):
    enrollment = make_enrollment(create_user("trainee"))
    assert _code_rows(enrollment.id) == []  # a stale row without a verdict has no codes
    refresh()
    assert "license.missing" in _code_rows(enrollment.id)
    assert _code_rows(enrollment.id) == _stored_codes(enrollment.id)


def test_a_refresh_replaces_the_codes_and_leaves_other_enrollments_alone(create_user, monkeypatch):
    mine = make_enrollment(create_user("trainee"))
    theirs = make_enrollment(create_user("trainee"))
    refresh()
    before = _code_rows(theirs.id)
    _with_codes(monkeypatch, {mine.id: " a.b a.bc "})
    db.session.execute(
        update(Enrollment).where(Enrollment.id == mine.id).values(pathway_reason="x")
    )
    db.session.commit()
    assert refresh() == 1
    assert _code_rows(mine.id) == ["a.b", "a.bc"] == _stored_codes(mine.id)
    _with_codes(monkeypatch, {mine.id: ""})
    db.session.execute(
        update(Enrollment).where(Enrollment.id == mine.id).values(pathway_reason="y")
    )
    db.session.commit()
    assert refresh() == 1
    assert _code_rows(mine.id) == [] == _stored_codes(mine.id)
    assert _code_rows(theirs.id) == before


def test_a_verdict_naming_the_same_codes_writes_no_code_rows(create_user, count_queries):
    """A new day recomputes many verdicts that name the same items: their rows stay as they are."""
    enrollment = make_enrollment(create_user("trainee"))
    refresh()
    before = _code_rows(enrollment.id)
    db.session.execute(
        update(Enrollment).where(Enrollment.id == enrollment.id).values(pathway_reason="x")
    )
    db.session.commit()
    with count_queries() as counter:
        assert refresh() == 1
    written = [
        statement
        for statement in counter.statements
        if "progress_snapshot_codes" in statement and not statement.startswith("SELECT")
    ]
    assert written == []
    assert _code_rows(enrollment.id) == before == _stored_codes(enrollment.id)


def test_a_verdict_not_stored_leaves_the_old_codes_with_the_old_verdict(create_user, monkeypatch):
    enrollment = make_enrollment(create_user("trainee"))
    refresh()
    before = _code_rows(enrollment.id)
    seen = db.session.get(ProgressSnapshot, enrollment.id).generation
    # Another worker writes (and bumps the generation) after this refresh read it.
    db.session.execute(
        update(Enrollment).where(Enrollment.id == enrollment.id).values(pathway_reason="y")
    )
    db.session.commit()
    _with_codes(monkeypatch, {enrollment.id: " other.code "})
    _recompute({enrollment.id: seen})
    db.session.commit()
    assert _code_rows(enrollment.id) == before == _stored_codes(enrollment.id)


def test_the_codes_go_with_the_snapshot(create_user):
    enrollment = make_enrollment(create_user("trainee"))
    refresh()
    assert _code_rows(enrollment.id)
    db.session.execute(delete(Enrollment).where(Enrollment.id == enrollment.id))
    db.session.commit()
    assert _code_rows(enrollment.id) == []


def test_writing_the_codes_marks_no_snapshot_stale(create_user):
    """The codes are derived from the snapshot: the refresh writing them is no new fact."""
    assert ProgressSnapshotCode.__tablename__ not in scopes()
    make_enrollment(create_user("trainee"))
    assert refresh() == 1
    assert refresh() == 0


def test_the_migration_fills_the_codes_of_existing_snapshots(app, runner, create_user, caplog):
    """Revision 20261202_c1 splits every snapshot's `codes` into rows; its downgrade drops them."""
    caplog.set_level(logging.INFO)
    ids = [make_enrollment(create_user("trainee")).id for _ in range(3)]
    refresh()
    db.session.execute(
        update(ProgressSnapshot).where(ProgressSnapshot.enrollment_id == ids[1]).values(codes="")
    )
    db.session.commit()
    expected = {i: _stored_codes(i) for i in ids}
    db.session.remove()
    try:
        down = runner.invoke(args=["db", "downgrade", "20261201_g1"])
        assert down.exit_code == 0, caplog.text + down.output
    finally:
        up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, caplog.text + up.output
    assert {i: _code_rows(i) for i in ids} == expected
    assert expected[ids[0]] and expected[ids[1]] == []
