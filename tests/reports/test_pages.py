"""The reports area through the web client: staff only, filters checked with a message, the
chart an image with no script, unknown reports 404."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from tests.reports.test_figures import REPORT_KEYS
from tests.reports.test_figures import build
from tracker.enrollments.models import ProgressSnapshot
from tracker.extensions import db


@pytest.mark.parametrize("role", ["trainee", "supervisor"])
def test_only_staff_open_reports(client, create_user, auth, role):
    auth.login(create_user(role))
    for url in ("/reports/", "/reports/funnel", "/reports/funnel.svg", "/reports/funnel.csv"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"Completion funnel" not in response.data


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get("/reports/finance")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_index_lists_every_report_and_the_navigation_links_it(as_staff):
    page = as_staff.get("/reports/").get_data(as_text=True)
    for key in REPORT_KEYS:
        assert f'href="/reports/{key}' in page
    assert 'href="/reports/"' in as_staff.get("/dashboard/cohort").get_data(as_text=True)


def test_bad_filters_are_named_and_left_out(app, as_staff):
    expected = build(9)
    page = as_staff.get(
        "/reports/funnel?since=2025-13-01&until=someday&cohort=99999&track=x"
    ).get_data(as_text=True)
    assert "From: write the date as YYYY-MM-DD" in page
    assert "To: write the date as YYYY-MM-DD" in page
    assert "Cohort: choose one from the list." in page
    assert "Track: choose one from the list." in page
    # the figures are those of every enrollment
    assert "of 18 enrollments" in page
    page = as_staff.get(
        f"/reports/funnel?program={expected['program_id']}&since=2025-01-02&until=2025-01-01"
    ).get_data(as_text=True)
    assert "the end of the range comes before its start" in page
    hostile = "<script>alert(1)</script>" * 50
    response = as_staff.get("/reports/pace", query_string={"cohort": hostile, "since": hostile})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_updating_is_shown_only_while_standing_is_behind(app, as_staff):
    expected = build(9)
    program = expected["program_id"]
    assert "updating" not in as_staff.get(f"/reports/funnel?program={program}").get_data(
        as_text=True
    )
    db.session.execute(update(ProgressSnapshot).values(stale=True))
    db.session.commit()
    page = as_staff.get(f"/reports/funnel?program={program}").get_data(as_text=True)
    assert "18 of 18 enrollments changed" in page


def test_date_range_applies_to_each_reports_events(app, as_staff):
    expected = build(9)
    program = expected["program_id"]
    # every ledger entry was posted within the last month: a range in 2001 has none
    page = as_staff.get(f"/reports/finance?program={program}&since=2001-01-01&until=2001-12-31")
    assert "Charged $0.00" in page.get_data(as_text=True)
    page = as_staff.get(f"/reports/finance?program={program}")
    assert "Charged $18,000.00" in page.get_data(as_text=True)


def test_chart_is_an_svg_image_without_script(app, as_staff):
    build(9)
    for key in REPORT_KEYS:
        response = as_staff.get(f"/reports/{key}.svg")
        assert response.status_code == 200, key
        assert response.mimetype == "image/svg+xml"
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script" not in policy
        body = response.get_data(as_text=True)
        assert body.startswith("<svg")
        assert 'class="title"' in body


def test_unknown_report_is_404(as_staff):
    assert as_staff.get("/reports/nothing").status_code == 404
    assert as_staff.get("/reports/nothing.svg").status_code == 404
    assert as_staff.get("/reports/nothing.csv").status_code == 404
