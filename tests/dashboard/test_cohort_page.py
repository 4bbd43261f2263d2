"""The staff cohort page: statuses at a glance, filters, sorting, CSV, constant query count."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from tracker.accounts.models import User
from tracker.core.clock import today_in
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db
from tracker.extensions import utcnow
from tracker.programs.models import Cohort
from tracker.programs.models import Program
from tracker.programs.models import RequirementSet
from tracker.programs.models import Track
from tracker.progress.requirements import RequirementSpec
from tracker.standing.snapshots import refresh
from tracker.training.models import DidacticEntry


@pytest.fixture
def program(app):
    """A program with one track and one running cohort."""
    program = Program(name="Cohort Test Program", timezone="UTC")
    track = Track(program=program, name="Online", format="online", tuition_cents=450000)
    spec = RequirementSpec.default("online")
    requirements = RequirementSet(track=track, version=1, content=json.dumps(spec.to_dict()))
    today = today_in("UTC")
    cohort = Cohort(
        program=program,
        name="Spring",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=200),
    )
    db.session.add_all([program, track, requirements, cohort])
    db.session.commit()
    return program, track, cohort, requirements


def _enroll_many(program, count: int, start: int = 0, name: str = "Trainee") -> None:
    prog, track, cohort, requirements = program
    users = [
        {
            "email": f"bulk{start + i}@example.org",
            "full_name": f"{name} {start + i:04d}",
            "is_trainee": True,
            "active": True,
            "created_at": utcnow(),
        }
        for i in range(count)
    ]
    db.session.execute(insert(User), users)
    ids = db.session.scalars(
        select(User.id).where(User.email.in_([u["email"] for u in users]))
    ).all()
    db.session.execute(
        insert(Enrollment),
        [
            {
                "trainee_id": uid,
                "program_id": prog.id,
                "track_id": track.id,
                "cohort_id": cohort.id,
                "requirement_set_id": requirements.id,
                "status": "admitted",
                "decided_at": utcnow(),
                "created_at": utcnow(),
                "pathway": "standard",
                "pathway_reason": "",
                "decision_note": "",
            }
            for uid in ids
        ],
    )
    db.session.commit()


@pytest.fixture
def staff_client(client, create_user, auth):
    auth.login(create_user("staff"))
    return client


def test_page_shows_statuses_and_blocking_counts(staff_client, program):
    _enroll_many(program, 3)
    page = staff_client.get("/dashboard/cohort").get_data(as_text=True)
    assert "3 enrollments match" in page
    assert "Trainee 0000" in page
    assert (
        "Eligibility: blocked" in page
        or "Eligibility: in progress" in page
        or "Eligibility: not started" in page
    )


def test_filters_by_item_code_and_step(staff_client, program):
    _enroll_many(program, 2)
    _first_with_pharmacology_verified()
    refresh()  # `flask progress refresh`: the filters read the stored snapshots
    page = staff_client.get("/dashboard/cohort?code=didactic.topic_short").get_data(as_text=True)
    assert "2 enrollments match" in page
    page = staff_client.get(
        "/dashboard/cohort?code=license.missing&actor=trainee&sort=blocking"
    ).get_data(as_text=True)
    assert "2 enrollments match" in page
    page = staff_client.get("/dashboard/cohort?step=2&step_status=complete").get_data(as_text=True)
    assert "2 enrollments match" in page
    page = staff_client.get("/dashboard/cohort?step=2").get_data(as_text=True)
    assert "0 enrollments match" in page


def test_bad_filter_values_are_ignored_not_errors(staff_client, program):
    _enroll_many(program, 1)
    response = staff_client.get(
        "/dashboard/cohort?step=99&code=<script>&sort=drop&page=-3&cohort=abc&status=robert')"
    )
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_csv_export_of_what_is_filtered_is_neutralised(staff_client, program):
    _enroll_many(program, 2, name="=HYPERLINK(evil)")
    response = staff_client.get("/dashboard/cohort.csv?sort=name")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:2] == ["enrollment", "trainee"]
    assert len(rows) == 3
    assert all(row[1].startswith("'=") for row in rows[1:])


def test_csv_rows_arrive_after_the_request_session_has_ended(staff_client, program):
    """A streamed body is sent after Flask has ended the request's database session (it tears
    the app context down first, as in production, where no test context stays pushed). Every
    row must still arrive: on PostgreSQL the rows' server-side cursor went with that session's
    transaction, and the download broke off after the header."""
    _enroll_many(program, 3)
    downloaded: list[str] = []

    def download() -> None:  # a thread of its own: the test's app context is not pushed there
        downloaded.append(staff_client.get("/dashboard/cohort.csv").get_data(as_text=True))

    thread = threading.Thread(target=download)
    thread.start()
    thread.join(timeout=60)
    assert downloaded, "the download failed"
    rows = list(csv.reader(io.StringIO(downloaded[0])))
    assert [row[1] for row in rows[1:]] == ["Trainee 0000", "Trainee 0001", "Trainee 0002"]


def test_pagination(staff_client, program):
    _enroll_many(program, 55)
    page2 = staff_client.get("/dashboard/cohort?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2
    assert "Trainee 0054" in page2
    assert "Trainee 0000" not in page2


def test_query_count_is_the_same_for_10_and_1000_enrollments(staff_client, program, count_queries):
    _enroll_many(program, 10)
    refresh()
    with count_queries() as small:
        assert staff_client.get("/dashboard/cohort").status_code == 200
    _enroll_many(program, 990, start=10)
    refresh()
    with count_queries() as large:
        assert staff_client.get("/dashboard/cohort").status_code == 200
    assert large.count == small.count, (small.statements, large.statements)
    with count_queries() as filtered:
        page = staff_client.get("/dashboard/cohort.csv?code=license.missing")
        assert page.get_data(as_text=True).count("\r\n") == 1001  # streamed, all rows
    _enroll_many(program, 1000, start=1000)
    refresh()
    with count_queries() as filtered_again:
        staff_client.get("/dashboard/cohort.csv?code=license.missing").get_data()
    assert filtered.count == filtered_again.count


def test_a_refresh_costs_the_same_queries_per_chunk_of_enrollments(app, program, count_queries):
    """Stale snapshots are recomputed in chunks: the queries grow with chunks, not rows."""
    _enroll_many(program, 3)
    with count_queries() as few:
        assert refresh() == 3
    _enroll_many(program, 400, start=3)
    with count_queries() as many:
        assert refresh() == 403  # a bulk INSERT without ids marks every snapshot stale
    assert many.count == few.count, (few.statements, many.statements)


def test_out_of_date_rows_are_computed_for_the_page_and_nothing_is_stored(
    staff_client, program, count_queries
):
    """A list never writes: rows changed since the last refresh show where they stand now,
    marked as updating, in the same number of queries however many there are."""
    _enroll_many(program, 3)
    refresh()
    with count_queries() as current:
        page = staff_client.get("/dashboard/cohort").get_data(as_text=True)
    assert "updating" not in page
    _first_with_pharmacology_verified()
    before = _snapshots()
    with count_queries() as one_stale:
        page = staff_client.get("/dashboard/cohort").get_data(as_text=True)
    assert page.count(UPDATING) == 1
    assert "Didactic training: in progress" in page  # what the engine says now
    # Filtered on the stored verdict until the refresh: stored, its step 5 is not started yet.
    page = staff_client.get("/dashboard/cohort?step=5&step_status=not_started")
    assert "<p>3 enrollments match" in page.get_data(as_text=True)
    assert _snapshots() == before
    _enroll_many(program, 40, start=3)  # a bulk insert without ids marks every snapshot stale
    before = _snapshots()
    with count_queries() as many_stale:
        page = staff_client.get("/dashboard/cohort").get_data(as_text=True)
    assert page.count(UPDATING) == 43
    assert one_stale.count == many_stale.count, (one_stale.statements, many_stale.statements)
    assert current.count < one_stale.count
    response = staff_client.get("/dashboard/cohort.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][-1] == "updating"
    assert sum(row[-1] == "yes" for row in rows[1:]) == 43
    assert _snapshots() == before
    assert refresh() == 43
    page = staff_client.get("/dashboard/cohort?step=5&step_status=not_started")
    assert "<p>42 enrollments match" in page.get_data(as_text=True)  # the one that moved on left
    assert UPDATING not in page.get_data(as_text=True)


UPDATING = 'class="badge text-bg-light border updating"'


def _first_with_pharmacology_verified() -> Enrollment:
    """Give the first enrollment 12 verified pharmacology hours, written outside a request."""
    enrollment = db.session.scalars(select(Enrollment).order_by(Enrollment.id)).first()
    db.session.add(
        DidacticEntry(
            enrollment_id=enrollment.id,
            on=today_in("UTC"),
            topic_code="pharmacology",
            hours=Decimal(12),
            provider="Course",
            status="verified",
        )
    )
    db.session.commit()
    return enrollment


def _snapshots() -> list[tuple]:
    db.session.expire_all()
    return [
        tuple(row)
        for row in db.session.execute(
            select(ProgressSnapshot.__table__).order_by(ProgressSnapshot.enrollment_id)
        )
    ]


def test_trainee_and_supervisor_cannot_open_it(client, create_user, auth):
    auth.login(create_user("trainee"))
    assert client.get("/dashboard/cohort").status_code == 403
    assert client.get("/dashboard/cohort.csv").status_code == 403


def test_state_filter_and_figures_cost_the_same_queries_for_10_and_200(
    staff_client, program, count_queries
):
    """The State filter and the figures by state: constant queries in the number of rows."""
    _enroll_many(program, 10)
    refresh()
    with count_queries() as small:
        page = staff_client.get("/dashboard/cohort?state=active").get_data(as_text=True)
    assert "10 enrollments match" in page
    assert 'data-state="active">Active: <strong>10</strong>' in page
    _enroll_many(program, 190, start=10)
    refresh()
    with count_queries() as large:
        page = staff_client.get("/dashboard/cohort?state=active").get_data(as_text=True)
    assert 'data-state="active">Active: <strong>200</strong>' in page
    assert large.count == small.count, (small.statements, large.statements)
    page = staff_client.get("/dashboard/cohort?state=withdrawn").get_data(as_text=True)
    assert "0 enrollments match" in page


def test_a_new_day_marks_updating_only_the_rows_whose_date_has_come(staff_client, program):
    """Computed yesterday, a row still holding today is shown as stored; one whose date has
    come is computed for the page, marked updating, and nothing is stored."""
    _enroll_many(program, 3)
    refresh()
    today = today_in("UTC")
    first, *others = db.session.scalars(select(Enrollment.id).order_by(Enrollment.id)).all()
    yesterday = today - timedelta(days=1)
    for ids, holds_until in ((others, today + timedelta(days=5)), ([first], today)):
        db.session.execute(
            update(ProgressSnapshot)
            .where(ProgressSnapshot.enrollment_id.in_(ids))
            .values(computed_on=yesterday, holds_until=holds_until)
        )
    db.session.commit()
    before = _snapshots()
    page = staff_client.get("/dashboard/cohort").get_data(as_text=True)
    assert page.count(UPDATING) == 1
    assert 'title="Not brought up to date yet (changed, or a day that can change' in page
    assert _snapshots() == before
    assert refresh() == 1
    assert UPDATING not in staff_client.get("/dashboard/cohort").get_data(as_text=True)


def test_search_by_name_or_e_mail_with_a_constant_query_count(staff_client, program, count_queries):
    _enroll_many(program, 3, name="Avery")
    _enroll_many(program, 2, start=3, name="Blake")
    page = staff_client.get("/dashboard/cohort?q=blake").get_data(as_text=True)
    assert "2 enrollments match" in page and "Avery" not in page
    page = staff_client.get("/dashboard/cohort?q=BULK1%40EXAMPLE").get_data(as_text=True)
    assert "1 enrollment match" in page and "Avery 0001" in page
    page = staff_client.get("/dashboard/cohort?q=100%25").get_data(as_text=True)
    assert "0 enrollments match" in page  # % is taken literally
    with count_queries() as few:
        staff_client.get("/dashboard/cohort?q=avery")
    _enroll_many(program, 10, start=5, name="Avery")
    with count_queries() as many:
        staff_client.get("/dashboard/cohort?q=avery")
    assert many.count == few.count


def test_filters_and_the_csv_speak_in_labels_and_the_csv_keeps_the_codes(staff_client, program):
    _enroll_many(program, 1)
    refresh()
    page = staff_client.get("/dashboard/cohort").get_data(as_text=True)
    assert '<option value="not_started" >Not started</option>' in page
    assert (
        '<option value="activity.none_recent" >No activity logged for the inactivity window' in page
    )
    assert '<option value="trainee" >The trainee</option>' in page
    assert ">activity.none_recent<" not in page and ">not_started<" not in page
    rows = list(
        csv.reader(io.StringIO(staff_client.get("/dashboard/cohort.csv").get_data(as_text=True)))
    )
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert row["status"] == "admitted" and row["status label"] == "Admitted"
    assert "license.missing" in row["item codes"].split()
    assert "No licence of an accepted type is on file" in row["items"]  # beside the codes
