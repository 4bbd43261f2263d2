"""The cohort filters' item code reads the snapshots' code rows: the same enrollments match as
when it looked for " code " in each snapshot's `codes`."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

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
from tracker.extensions import db
from tracker.standing import snapshots
from tracker.standing.snapshots import refresh

# What the refresh stores for the enrollments, in order: (codes, steps); None keeps the engine's.
STORED = [
    (" a.b ", None),
    (" a.bc ", None),
    (" a.b a.bc ", None),
    (" a_b ", None),  # LIKE's one-character wildcard, in a code
    (" x.a.b ", None),
    ("", None),
    (" a.b ", ""),  # no track chosen: no step, so no code, can match
    (" a.bc license.missing ", None),
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
    chosen = dict(zip(ids, STORED, strict=True))
    real = snapshots._values

    def values(loaded, today):
        found = real(loaded, today)
        codes, steps = chosen[loaded.row.id]
        found["codes"] = codes
        if steps is not None:
            found["steps"] = steps
        return found

    monkeypatch.setattr(snapshots, "_values", values)
    assert refresh() == len(STORED)
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
    assert _as_before("x.a.b") == {suffix}  # no_track stores " a.b " but has no steps
    assert no_track not in _as_before("a.b")
    assert _as_before("a") == set()


def test_the_page_and_the_csv_filter_by_the_code_rows(staff_client, stored):  # noqa: F811
    page = staff_client.get("/dashboard/cohort?code=license.missing").get_data(as_text=True)
    assert "<p>1 enrollment match." in page
    body = staff_client.get("/dashboard/cohort.csv?code=license.missing").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2
