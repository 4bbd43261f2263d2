"""The cohort page's rows as printed: step cells, labels and links, paging past the end, and
the same number of queries on every page and sort whatever the number of enrollments."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.dashboard.test_cohort_page import _enroll_many
from tests.dashboard.test_cohort_page import program  # noqa: F401 - the fixture
from tests.dashboard.test_cohort_page import staff_client  # noqa: F401 - the fixture
from tracker.enrollments.models import Enrollment
from tracker.extensions import db
from tracker.standing.snapshots import refresh

STEP_CELL = re.compile(
    r'<td class="text-center"><span aria-hidden="true" title="([^"]+): ([a-z ]+)">([^<]+)</span>'
    r'<span class="visually-hidden">\1: \2</span></td>'
)
SYMBOLS = {
    "not started": "\u2013",
    "in progress": "\u2026",
    "complete": "\u2713",
    "waived": "W",
    "blocked": "\u00d7",
}
TITLES = [
    "Eligibility",
    "Program selection",
    "Application",
    "Financing",
    "Didactic training",
    "Experiential learning",
    "Supervised practice",
    "Final assessment and certificate",
    "Ongoing education",
]


def _row_of(page: str, name: str) -> str:
    start = page.index(f">{name}<")
    return page[start : page.index("</tr>", start)]


def test_each_row_has_its_nine_cells_its_labels_and_its_links(staff_client, program):  # noqa: F811
    _enroll_many(program, 2)
    refresh()
    enrollment = db.session.scalars(select(Enrollment).order_by(Enrollment.id).limit(1)).one()
    page = staff_client.get("/dashboard/cohort").get_data(as_text=True)
    row = _row_of(page, "Trainee 0000")
    cells = STEP_CELL.findall(row)
    assert [title for title, _words, _symbol in cells] == TITLES
    assert all(SYMBOLS[words] == symbol for _title, words, symbol in cells)
    assert f'<a href="/admissions/enrollments/{enrollment.id}">Trainee 0000</a>' in page
    assert (
        f'<a href="/signoffs/trainees/{enrollment.id}">record<span class="visually-hidden"> of '
        "Trainee 0000</span></a>" in row
    )
    assert "<td>Spring</td>" in row
    assert "Admitted" in row
    assert '<div class="small text-muted fw-normal">Online</div>' in page


def test_a_page_past_the_end_shows_the_last_page(staff_client, program):  # noqa: F811
    _enroll_many(program, 55)
    refresh()
    page = staff_client.get("/dashboard/cohort?page=99").get_data(as_text=True)
    assert "Page 2 of 2" in page
    assert "Trainee 0054" in page
    assert "55 enrollments match" in page


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/cohort?page=2",
        "/dashboard/cohort?sort=blocking&page=3",
        "/dashboard/cohort?sort=due",
        "/dashboard/cohort?sort=progress&page=2",
        "/dashboard/cohort?sort=cohort&state=active",
        "/dashboard/cohort?q=trainee&page=999",
    ],
)
def test_every_page_and_sort_costs_the_same_queries_for_60_and_600(
    staff_client,  # noqa: F811
    program,  # noqa: F811
    count_queries,
    path,
):
    _enroll_many(program, 60)
    refresh()
    with count_queries() as few:
        assert staff_client.get(path).status_code == 200
    _enroll_many(program, 540, start=60)
    refresh()
    with count_queries() as many:
        assert staff_client.get(path).status_code == 200
    assert few.count == many.count, (few.statements, many.statements)


def test_the_sorts_page_through_every_enrollment_once(staff_client, program):  # noqa: F811
    """The page's ids are chosen apart from its rows: paging any sort still shows each
    enrollment exactly once, in the order asked."""
    _enroll_many(program, 120)
    refresh()
    for sort in ("name", "blocking", "due", "progress", "cohort"):
        seen = []
        for page in (1, 2, 3):
            html = staff_client.get(f"/dashboard/cohort?sort={sort}&page={page}").get_data(
                as_text=True
            )
            seen += re.findall(r">(Trainee \d{4})</a>", html)
        assert sorted(seen) == [f"Trainee {n:04d}" for n in range(120)], sort
    names = []
    for page in (1, 2, 3):
        html = staff_client.get(f"/dashboard/cohort?page={page}").get_data(as_text=True)
        names += re.findall(r">(Trainee \d{4})</a>", html)
    assert names == sorted(names)
