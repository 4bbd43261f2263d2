"""Staff add and edit cohorts with sane dates."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import post_form
from tests.programs.conftest import count_rows
from tracker.extensions import db
from tracker.programs.models import Cohort


def _error(page: str, field: str) -> str:
    assert f'id="{field}-error"' in page, page
    return page.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]


def test_add_cohort(client, staff, make_program):
    program = make_program()
    response = post_form(
        client,
        f"/programs/{program.id}/cohorts/new",
        {"name": "Autumn 2026", "starts_on": "2026-09-01", "ends_on": "2027-05-31"},
    )
    assert response.status_code == 302
    cohort = db.session.scalar(db.select(Cohort).where(Cohort.name == "Autumn 2026"))
    assert (cohort.starts_on, cohort.ends_on) == (date(2026, 9, 1), date(2027, 5, 31))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"ends_on": "2026-08-01"}, "ends_on", "after the start date"),
        ({"ends_on": "2026-09-01"}, "ends_on", "after the start date"),
        ({"starts_on": "1990-01-01", "ends_on": "1990-06-01"}, "starts_on", "from 2000-01-01"),
        ({"ends_on": "2035-01-01"}, "ends_on", "at most five years"),
        ({"starts_on": "2099-01-01", "ends_on": "2099-06-01"}, "starts_on", "years ahead"),
        ({"starts_on": "not a date"}, "starts_on", "Not a valid date"),
        ({"ends_on": ""}, "ends_on", "Enter the end date."),
        ({"name": "Spring 2026"}, "name", "already has a cohort"),
    ],
)
def test_add_cohort_refused(client, staff, make_program, data, field, message):
    program = make_program()
    before = count_rows()
    payload = {"name": "Autumn 2026", "starts_on": "2026-09-01", "ends_on": "2027-05-31"}
    payload.update(data)
    response = post_form(client, f"/programs/{program.id}/cohorts/new", payload)
    assert response.status_code == 200
    assert message in _error(response.get_data(as_text=True), field)
    assert count_rows() == before


def test_edit_cohort(client, staff, make_program):
    cohort = make_program().cohorts[0]
    assert 'value="2026-03-01"' in client.get(f"/programs/cohorts/{cohort.id}/edit").get_data(
        as_text=True
    )
    response = post_form(
        client,
        f"/programs/cohorts/{cohort.id}/edit",
        {"name": "Spring", "starts_on": "2026-03-02", "ends_on": "2026-12-01"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (cohort.name, cohort.ends_on) == ("Spring", date(2026, 12, 1))


def test_edit_cohort_refused(client, staff, make_program):
    cohort = make_program().cohorts[0]
    before = count_rows()
    response = post_form(
        client,
        f"/programs/cohorts/{cohort.id}/edit",
        {"name": "Spring", "starts_on": "2026-03-02", "ends_on": "2026-01-01"},
    )
    assert "after the start date" in _error(response.get_data(as_text=True), "ends_on")
    db.session.expire_all()
    assert cohort.name == "Spring 2026"
    assert count_rows() == before
