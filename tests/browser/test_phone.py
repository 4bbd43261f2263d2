"""On a 360 px phone the pages each person uses most fit the screen: the page itself never
scrolls sideways (a wide table scrolls inside its own box, a long address such as a
certificate's verification URL wraps), the navigation wraps instead of running off the edge, and
axe-core finds nothing serious. The demo data fills the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE
from tests.browser.conftest import Person
from tests.conftest import PASSWORD
from tracker.accounts.models import User
from tracker.demo.data import load_demo
from tracker.enrollments.models import Enrollment
from tracker.extensions import db

PAGES = {
    "trainee@example.org": [
        "/dashboard/trainee",
        "/eligibility/",
        "/training/",
        "/supervision/",
        "/finance/me",
    ],
    "supervisor@example.org": ["/signoffs/", "/assessment/"],
    "graduate@example.org": ["/certificates/mine"],
    "staff@example.org": [
        "/dashboard/cohort",
        "/admissions/",
        "/signoffs/verification",
        "/certificates",
        # the staff page of the demo's valid certificate
        lambda: f"/certificates/enrollments/{graduate_enrollment_id()}",
    ],
}
# How far anything may reach past the right edge, in CSS pixels (sub-pixel rounding).
TOLERANCE = 1


def overflow(window: Person) -> dict:
    """How far the page and its navigation reach past the right edge of the screen."""
    return window.page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const right = e => Math.max(0, e.getBoundingClientRect().right - width);
          return {
            page: document.documentElement.scrollWidth - width,
            nav: Math.max(0, ...Array.from(document.querySelectorAll('nav a, nav button'), right)),
          };
        }"""
    )


def graduate_enrollment_id() -> int:
    """The enrollment of the demo graduate whose certificate is valid."""
    return db.session.scalar(
        select(Enrollment.id)
        .join(User, User.id == Enrollment.trainee_id)
        .where(User.email == "graduate@example.org")
    )


@pytest.fixture
def demo(app) -> None:
    """The demo program, accounts and records."""
    load_demo(password=PASSWORD)
    db.session.commit()


@pytest.mark.parametrize("email", list(PAGES))
def test_pages_fit_a_phone(demo, person, accessibility, email):
    window = person(PHONE)
    window.open("/account/login")
    window.fill("E-mail address", email)
    window.fill("Password", PASSWORD)
    window.press("Sign in")
    pages = [path() if callable(path) else path for path in PAGES[email]]
    if email == "staff@example.org":
        # The review page of the first trainee on the cohort page, the busiest staff page.
        window.open("/dashboard/cohort")
        window.click(window.page.locator("tbody th a").first)
        pages.append(window.page.url.removeprefix(window.base_url))
    too_wide = {}
    for path in pages:
        window.open(path)
        assert window.page.locator("h1").first.is_visible()
        reach = overflow(window)
        if max(reach.values()) > TOLERANCE:
            too_wide[path] = reach
    assert not too_wide, f"wider than {PHONE['width']} px: {too_wide}"
    accessibility.assert_clean()
