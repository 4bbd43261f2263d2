"""The reports as a program director sees them, on the demo data: every report has its chart
(an image that loaded), a summary, its table and a CSV download; axe-core finds nothing serious;
at 360 px the page does not scroll sideways (the wide tables scroll in their own box)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.browser.conftest import Person
from tests.browser.test_phone import TOLERANCE
from tests.browser.test_phone import overflow
from tests.conftest import PASSWORD
from tracker.demo.data import load_demo
from tracker.extensions import db
from tracker.reports.catalogue import REPORTS
from tracker.standing.snapshots import refresh


@pytest.fixture
def demo(app) -> None:
    """The demo program with its stored progress brought up to date (the worker's job)."""
    load_demo(password=PASSWORD)
    db.session.commit()
    refresh()


def sign_in(window: Person) -> None:
    window.open("/account/login")
    window.fill("E-mail address", "staff@example.org")
    window.fill("Password", PASSWORD)
    window.press("Sign in")
    assert "Signed in as" in window.flash()


def check_report(window: Person, title: str) -> None:
    """The report's heading, summary, loaded chart, table rows and CSV link."""
    page = window.page
    assert page.locator("h1").first.inner_text() == title
    assert page.locator(".report-summary").inner_text().strip()
    chart = page.locator(".report-chart img")
    chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    assert chart.get_attribute("alt").startswith("Chart: ")
    assert page.locator("table.report-table caption").inner_text().startswith(title)
    assert page.locator("table.report-table tbody tr").count() >= 1
    assert page.get_by_role("link", name="Download the table (CSV)").is_visible()


def test_every_report_has_its_chart_and_table(demo, person, accessibility):
    window = person()
    sign_in(window)
    window.follow("Reports", exact=True)
    for report in REPORTS.values():
        window.follow(report.title, exact=True)
        check_report(window, report.title)
        window.follow("Reports", exact=True)
    # The funnel of the demo's cohorts says how many reached supervised practice.
    window.follow("Completion funnel", exact=True)
    assert "reached supervised practice (step 7)" in window.main_text()
    # A filter narrows it: the finance report of one cohort.
    window.follow("Finance", exact=True)
    window.select("Cohort", "Spring 2026")
    window.press("Apply")
    check_report(window, "Finance")
    assert "cohort=" in window.page.url
    accessibility.assert_clean()


def test_reports_fit_a_phone(demo, person, accessibility):
    window = person(PHONE)
    sign_in(window)
    too_wide = {}
    for report in REPORTS.values():
        window.open(f"/reports/{report.key}")
        check_report(window, report.title)
        reach = overflow(window)
        if max(reach.values()) > TOLERANCE:
            too_wide[report.key] = reach
    assert not too_wide, f"wider than {PHONE['width']} px: {too_wide}"
    accessibility.assert_clean()
