"""The cohort filters' item code reads the snapshots' code rows: the same enrollments match as
when it looked for " code " in each snapshot's `codes`."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from sqlalchemy import update

from tests.dashboard.test_cohort_page import _enroll_many
from tests.dashboard.test_cohort_page import program  # noqa: F401 - the fixture
from tests.dashboard.test_cohort_page import staff_client  # noqa: F401 - the fixture
from tracker.dashboard.cohort import CohortFilters
from tracker.dashboard.cohort import cohort_page
from tracker.dashboard.cohort import cohort_rows
from tracker.dashboard.cohort import matching
from tracker.dashboard.cohort import state_counts
from tracker.enrollments.models import Enrollment
from tracker.enrollments.models import ProgressSnapshot
from tracker.enrollments.models import ProgressSnapshotCode
from tracker.extensions import db
from tracker.standing import snapshots
from tracker.standing.snapshots import refresh

# The codes the refresh stores for the enrollments, in order (None: the engine's own).
STORED = [
    " a.b ",
    " a.bc ",
    " a.b a.bc ",
    " a_b ",  # LIKE's one-character wildcard, in a code
    " x.a.b ",
    "",
    None,  # no track chosen: no verdict, no step, no code
    " a.bc license.missing ",
]
ASKED = [
    "a.b",
    "a.bc",
    "a_b",
    "a",
    "b",
    "x.a.b",
    "a.b.c",
    "license.missing",
    "didactic.topic_short",
]


@pytest.fixture
def stored(program, monkeypatch):  # noqa: F811
    """Enrollments whose snapshots store the codes of `STORED`, through the refresh."""
    _enroll_many(program, len(STORED))
    ids = db.session.scalars(select(Enrollment.id).order_by(Enrollment.id)).all()
    no_track = ids[STORED.index(None)]
    db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == no_track)
        .values(track_id=None, cohort_id=None, requirement_set_id=None)
    )
    db.session.commit()
    chosen = dict(zip(ids, STORED, strict=True))
    real = snapshots._values

    def values(loaded, today):
        found = real(loaded, today)
        if chosen[loaded.row.id] is not None:
            found["codes"] = chosen[loaded.row.id]
        return found

    monkeypatch.setattr(snapshots, "_values", values)
    refresh()
    assert db.session.get(ProgressSnapshot, no_track).steps == ""
    assert db.session.get(ProgressSnapshot, no_track).codes == ""
    assert not db.session.scalars(
        select(ProgressSnapshotCode).where(ProgressSnapshotCode.enrollment_id == no_track)
    ).all()
    return ids


def _as_before(code: str) -> set[int]:
    """The enrollments the former filter matched: " code " within the stored `codes`."""
    snap = ProgressSnapshot
    return set(
        db.session.scalars(
            select(Enrollment.id)
            .outerjoin(snap, snap.enrollment_id == Enrollment.id)
            .where(snap.steps != "", snap.codes.contains(f" {code} ", autoescape=True))
        )
    )


@pytest.mark.parametrize("code", ASKED)
def test_the_code_filter_matches_what_the_codes_text_matched(stored, code):
    expected = _as_before(code)
    filters = CohortFilters(item_code=code)
    rows, total = cohort_page(filters, 1, 100)
    assert {row.id for row in rows} == expected
    assert total == len(expected)
    assert matching(state_counts(filters), filters) == len(expected)
    assert {row.id for row in cohort_rows(filters)} == expected


def test_prefixes_and_wildcards_are_not_matches(stored):
    first, second, both, underscore, suffix, _none, no_track, third = stored
    assert _as_before("a.b") == {first, both}
    assert _as_before("a.bc") == {second, both, third}
    assert _as_before("a_b") == {underscore}
    assert _as_before("x.a.b") == {suffix}
    assert no_track not in _as_before("license.missing")
    assert _as_before("a") == set()


def test_the_page_and_the_csv_filter_by_the_code_rows(staff_client, stored):  # noqa: F811
    page = staff_client.get("/dashboard/cohort?code=license.missing").get_data(as_text=True)
    assert "<p>1 enrollment match." in page
    body = staff_client.get("/dashboard/cohort.csv?code=license.missing").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2
