"""Stored progress snapshots stay true: every write the engine would see marks them stale, and
a refresh stores what the engine says today."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete
from sqlalchemy import event
from sqlalchemy import update

from tests.conftest import PASSWORD
from tests.conftest import login
from tests.conftest import post_form
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.core.clock import today_in
from tracker.eligibility.models import Licence
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.programs.models import RequirementSet
from tracker.progress import compute
from tracker.standing.loader import load_enrollment
from tracker.standing.snapshots import _recompute
from tracker.standing.snapshots import refresh
from tracker.standing.snapshots import scopes
from tracker.standing.snapshots import status_names
from tracker.training.models import DidacticEntry


@pytest.fixture
def trainee(create_user):
    """A trainee with two admitted enrollments in two programs."""
    return create_user("trainee", name="Sam Snapshot")


@pytest.fixture
def pair(trainee, create_user):
    """The trainee's enrollment and another trainee's, both current after a refresh."""
    other = create_user("trainee", name="Olga Other")
    mine, theirs = make_enrollment(trainee), make_enrollment(other)
    refresh()
    return mine, theirs


def log_entry(enrollment_id: int, topic: str = "ethics") -> DidacticEntry:
    """One didactic entry of yesterday, committed."""
    entry = DidacticEntry(
        enrollment_id=enrollment_id,
        on=yesterday(),
        topic_code=topic,
        hours=Decimal(1),
        provider="Academy",
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def _log_hours_through_the_form(client) -> None:
    """The signed-in trainee logs 1.5 pharmacology hours on the didactic form."""
    response = post_form(
        client,
        "/training/didactic/new",
        {
            "on": iso(yesterday()),
            "topic_code": "pharmacology",
            "hours": "1.5",
            "provider": "KAP Academy",
            "note": "",
        },
    )
    assert response.status_code == 302


def snapshot(enrollment_id: int) -> ProgressSnapshot:
    db.session.expire_all()
    return db.session.get(ProgressSnapshot, enrollment_id)


def test_a_new_enrollment_gets_a_stale_snapshot_and_a_refresh_fills_it(trainee):
    enrollment = make_enrollment(trainee)
    row = snapshot(enrollment.id)
    assert row is not None and row.stale
    assert refresh() == 1
    row = snapshot(enrollment.id)
    assert not row.stale
    assert row.computed_on == today_in("UTC")
    assert len(row.steps) == 9
    assert " license.missing " in row.codes
    assert refresh() == 0  # nothing left to do


def test_a_logged_entry_marks_only_its_enrollment_stale(pair):
    mine, theirs = pair
    log_entry(mine.id, "pharmacology")
    assert snapshot(mine.id).stale
    assert not snapshot(theirs.id).stale


def test_a_bulk_update_marks_the_rows_it_names_stale(pair):
    mine, theirs = pair
    entry = log_entry(mine.id)
    refresh()
    db.session.execute(
        update(DidacticEntry).where(DidacticEntry.id == entry.id).values(status="verified")
    )
    db.session.commit()
    assert snapshot(mine.id).stale
    assert not snapshot(theirs.id).stale


def test_a_bulk_delete_marks_its_rows_stale(pair):
    mine, _theirs = pair
    log_entry(mine.id)
    refresh()
    db.session.execute(delete(DidacticEntry).where(DidacticEntry.enrollment_id == mine.id))
    db.session.commit()
    assert snapshot(mine.id).stale


def test_a_licence_marks_every_enrollment_of_its_trainee_stale(pair, trainee):
    mine, theirs = pair
    db.session.add(
        Licence(
            trainee_id=trainee.id,
            licence_type="MD",
            number="A123",
            jurisdiction="Oregon",
            expires_on=today_in("UTC") + timedelta(days=400),
        )
    )
    db.session.commit()
    assert snapshot(mine.id).stale
    assert not snapshot(theirs.id).stale


def test_a_new_requirement_version_marks_its_track_stale(pair):
    mine, theirs = pair
    current = db.session.get(RequirementSet, mine.requirement_set_id)
    db.session.add(RequirementSet(track_id=current.track_id, version=2, content=current.content))
    db.session.commit()
    assert snapshot(mine.id).stale
    assert not snapshot(theirs.id).stale


def test_a_rolled_back_write_leaves_the_snapshot_current(pair):
    mine, _theirs = pair
    db.session.execute(
        update(Enrollment).where(Enrollment.id == mine.id).values(pathway_reason="x")
    )
    db.session.rollback()
    db.session.commit()
    assert not snapshot(mine.id).stale


def test_a_rolled_back_savepoint_keeps_what_was_written_before_it(pair):
    mine, _theirs = pair
    db.session.execute(
        update(Enrollment).where(Enrollment.id == mine.id).values(pathway_reason="x")
    )
    savepoint = db.session.begin_nested()
    savepoint.rollback()
    db.session.commit()
    assert snapshot(mine.id).stale


def test_a_result_computed_before_a_concurrent_write_is_not_stored_as_current(pair):
    mine, _theirs = pair
    db.session.execute(
        update(Enrollment).where(Enrollment.id == mine.id).values(pathway_reason="x")
    )
    db.session.commit()
    seen = snapshot(mine.id).generation
    # Another worker writes (and bumps the generation) after this refresh read it.
    db.session.execute(
        update(Enrollment).where(Enrollment.id == mine.id).values(pathway_reason="y")
    )
    db.session.commit()
    _recompute({mine.id: seen})
    db.session.commit()
    assert snapshot(mine.id).stale
    refresh()
    assert not snapshot(mine.id).stale


def _age(enrollment_id: int, **values) -> None:
    """Change a snapshot row behind the session's back (as if written on an earlier day)."""
    table = ProgressSnapshot.__table__
    with db.engine.begin() as connection:
        connection.execute(
            table.update().where(table.c.enrollment_id == enrollment_id).values(**values)
        )


def test_a_snapshot_whose_day_has_come_is_recomputed(pair):
    mine, _theirs = pair
    today = today_in("UTC")
    _age(mine.id, computed_on=today - timedelta(days=1), holds_until=today)
    assert refresh() == 1
    row = snapshot(mine.id)
    assert row.computed_on == today
    assert row.holds_until > today


def test_yesterdays_snapshot_that_still_holds_is_not_recomputed(pair):
    mine, theirs = pair
    today = today_in("UTC")
    yesterday = today - timedelta(days=1)
    _age(mine.id, computed_on=yesterday, holds_until=today + timedelta(days=1))
    _age(theirs.id, computed_on=yesterday, holds_until=today + timedelta(days=30))
    assert refresh() == 0
    assert snapshot(mine.id).computed_on == yesterday


def test_a_snapshot_without_a_date_is_due(pair):
    mine, _theirs = pair
    _age(mine.id, holds_until=None)
    assert refresh() == 1
    assert snapshot(mine.id).holds_until is not None


def test_a_snapshot_computed_for_a_later_day_is_due(pair):
    mine, _theirs = pair
    today = today_in("UTC")
    _age(mine.id, computed_on=today + timedelta(days=3), holds_until=today + timedelta(days=9))
    assert refresh() == 1
    assert snapshot(mine.id).computed_on == today


def test_the_stored_date_is_the_engines(pair):
    mine, _theirs = pair
    loaded = load_enrollment(mine.id)
    today = today_in("UTC")
    assert snapshot(mine.id).holds_until == compute(loaded.facts, loaded.spec, today).holds_until


def test_snapshot_agrees_with_the_engine(pair):
    mine, _theirs = pair
    loaded = load_enrollment(mine.id)
    progress = compute(loaded.facts, loaded.spec, today_in("UTC"))
    row = snapshot(mine.id)
    assert row.codes.split() == sorted(progress.codes)
    assert row.blocking == len(progress.blocking_items)
    assert row.next_due_on == progress.next_due_on
    assert status_names(row.steps) == tuple(str(step.status) for step in progress.steps)


def test_every_table_the_engine_reads_is_watched(pair):
    """A new fact source without invalidation would leave snapshots wrong: this fails first."""
    mine, _theirs = pair
    statements: list[str] = []

    def capture(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        load_enrollment(mine.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    tables = {table.name for table in db.metadata.sorted_tables}
    read = set()
    for statement in statements:
        read.update(re.findall(r"(?:FROM|JOIN)\s+\"?(\w+)", statement))
    read &= tables  # aliases of subqueries are not tables
    display_only = {"users"}  # names and e-mail addresses, read live by the lists
    assert len(read) > 10, statements
    assert read - display_only <= set(scopes()), read - display_only - set(scopes())


def test_cohort_page_follows_a_trainee_logging_hours_through_the_form(
    app, client, trainee, create_user
):
    """The staff list reflects a write made through the trainee's page, on the next view."""
    enrollment = make_enrollment(trainee)
    staff = create_user("staff")
    staff_client = app.test_client()
    login(staff_client, staff, PASSWORD)

    def step_five() -> str:
        body = staff_client.get("/dashboard/cohort.csv").get_data(as_text=True)
        row = next(
            r for r in csv.DictReader(io.StringIO(body)) if r["enrollment"] == str(enrollment.id)
        )
        return row["step 5"]

    assert step_five() == "not_started"
    login(client, trainee)
    _log_hours_through_the_form(client)
    assert step_five() == "in_progress"


def test_a_write_request_recomputes_the_few_snapshots_it_marked(client, trainee, create_user):
    """Logging hours through the form leaves the trainee's snapshot current when the request
    ends, so the filtered lists follow at once; other enrollments are left as they were."""
    mine, theirs = make_enrollment(trainee), make_enrollment(create_user("trainee"))
    refresh()
    computed = snapshot(theirs.id).generation
    login(client, trainee)
    _log_hours_through_the_form(client)
    row = snapshot(mine.id)
    assert not row.stale
    assert row.steps[4] == "i"  # step 5 in progress, stored
    assert snapshot(theirs.id).generation == computed


def test_a_write_marking_many_snapshots_leaves_them_to_the_refresh(app, pair):
    """A change that touches many enrollments (every snapshot here) is not recomputed by the
    request that made it: `flask progress refresh` does it. A few are."""
    mine, theirs = pair
    with app.test_request_context("/", method="POST"):
        db.session.execute(update(Enrollment).values(decision_note="bulk"))
        db.session.commit()
    assert snapshot(mine.id).stale and snapshot(theirs.id).stale
    refresh()
    with app.test_request_context("/", method="POST"):
        log_entry(mine.id)
    assert not snapshot(mine.id).stale


def test_flask_progress_refresh_recomputes_what_is_out_of_date(runner, trainee):
    enrollment = make_enrollment(trainee)
    result = runner.invoke(args=["progress", "refresh"])
    assert result.exit_code == 0, result.output
    assert "1 progress snapshot recomputed" in result.output
    assert not snapshot(enrollment.id).stale
    again = runner.invoke(args=["progress", "refresh"])
    assert "0 progress snapshots recomputed" in again.output
