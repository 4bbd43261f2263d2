"""Staff record an enrollment's life through the pages, in a real browser: one trainee withdrawn
(after the confirmation page), one put on leave, one transferred to another track, one deferred
to a later cohort; after each the enrollment page states it, and the cohort page's filter and
figures follow."""

from __future__ import annotations

import re

from tests.browser.conftest import Person
from tests.lifecycle.conftest import COHORTS
from tests.lifecycle.conftest import TRACKS
from tests.lifecycle.conftest import day
from tracker.audit.reconcile import reconcile
from tracker.extensions import db
from tracker.factories.enrollments import applied
from tracker.factories.programs import make_program
from tracker.standing.snapshots import refresh

PEOPLE = ("Wendy Withdraw", "Leo Leave", "Tom Transfer", "Dana Defer", "Amy Active")


def sign_in(window: Person, email: str) -> None:
    """Sign in through the sign-in page."""
    window.open("/account/login")
    window.fill("E-mail address", email)
    window.fill("Password", "correct horse battery staple")
    window.press("Sign in")


def figure(window: Person, state: str) -> int:
    """The cohort page's count of one state."""
    text = window.page.locator(f'.cohort-figures [data-state="{state}"]').inner_text()
    return int(re.search(r"(\d+)", text).group(1))


def filtered(window: Person, state: str) -> list[str]:
    """The trainees the cohort page lists under one state (chosen in the filter)."""
    window.open("/dashboard/cohort")
    window.select("State", {"on_leave": "On leave"}.get(state, state.capitalize()))
    window.press("Apply")
    return window.page.locator("tbody th a").all_inner_texts()


def test_withdraw_leave_and_transfer_through_the_pages(person, create_user, app):
    staff = create_user("staff", name="Morgan Staff", email="morgan@example.org")
    program = make_program("Life Program", tracks=TRACKS, cohorts=COHORTS)
    db.session.commit()
    online = next(t for t in program.tracks if t.name == "Online")
    spring = next(c for c in program.cohorts if c.name == "Spring")
    enrollments = {}
    for name in PEOPLE:
        trainee = create_user("trainee", name=name)
        enrollments[name] = applied(
            trainee, online, spring, "admitted", day(0), staff, decided_on=day(-50)
        )
    db.session.commit()
    refresh()  # what the worker does: the cohort page counts the stored snapshots

    window = person()
    sign_in(window, staff.email)
    window.open("/dashboard/cohort")
    assert figure(window, "active") == 5 and figure(window, "withdrawn") == 0

    # Withdraw: the form, then the confirmation page with the ledger's refund note.
    window.open(f"/admissions/enrollments/{enrollments['Wendy Withdraw'].id}")
    part = window.expand("Withdraw the enrollment")
    window.tick("Voluntary withdrawal", within=part)
    window.fill("Withdrawn as of", day(-1).isoformat(), within=part)
    window.fill("Reason", "Relocating overseas for a new clinical post.", within=part)
    window.press("Continue", within=part)
    assert "Withdraw Wendy Withdraw?" in window.main_text()
    assert "refund entry" in window.main_text()
    window.press("Withdraw Wendy Withdraw")
    assert "Wendy Withdraw is withdrawn" in window.flash()
    assert "State: Withdrawn" in window.main_text()
    window.open("/dashboard/cohort")
    assert figure(window, "withdrawn") == 1 and figure(window, "active") == 4

    # Leave of absence: a return before the start is refused, then a good one.
    window.open(f"/admissions/enrollments/{enrollments['Leo Leave'].id}")
    part = window.expand("Record a leave of absence")
    window.fill("Leave starts on", day(-2).isoformat(), within=part)
    window.fill("Expected back on", day(-5).isoformat(), within=part)
    window.fill("Reason", "Parental leave agreed with the program.", within=part)
    window.press("Record the leave", within=part)
    assert "must be after the start of the leave" in window.main_text()
    part = window.page.locator("details", has=window.page.locator("summary", has_text="leave"))
    window.fill("Expected back on", day(60).isoformat(), within=part.first)
    window.press("Record the leave", within=part.first)
    assert "Leave of absence recorded" in window.flash()
    assert "State: On leave" in window.main_text()

    # Transfer to the Hybrid track: that track's own requirement version.
    window.open(f"/admissions/enrollments/{enrollments['Tom Transfer'].id}")
    part = window.expand("Defer or transfer")
    window.tick("Transfer", within=part)
    window.select("To cohort", "Spring", within=part)
    window.select("Track", "Hybrid", within=part)
    window.fill("Effective on", day(0).isoformat(), within=part)
    window.fill("Reason", "Wants the in-person intensives of the hybrid format.", within=part)
    window.press("Move the enrollment", within=part)
    assert "Tom Transfer is transferred to Spring" in window.flash()
    assert "State: Active" in window.main_text()
    assert "Track Online → Hybrid" in window.main_text()

    # Deferral to the later cohort, keeping the requirement version.
    window.open(f"/admissions/enrollments/{enrollments['Dana Defer'].id}")
    part = window.expand("Defer or transfer")
    window.tick("Deferral to a later cohort", within=part)
    window.select("To cohort", "Autumn", within=part)
    window.fill("Effective on", day(0).isoformat(), within=part)
    window.fill("Reason", "Clinical placement clashes with the spring dates.", within=part)
    window.press("Move the enrollment", within=part)
    assert "Dana Defer is deferred to Autumn" in window.flash()
    assert "State: Deferred" in window.main_text()
    assert "Requirements kept at version 1" in window.main_text()

    # The cohort page follows each.
    window.open("/dashboard/cohort")
    counts = [figure(window, s) for s in ("active", "on_leave", "deferred", "withdrawn")]
    assert counts == [2, 1, 1, 1]
    assert filtered(window, "withdrawn") == ["Wendy Withdraw"]
    assert filtered(window, "on_leave") == ["Leo Leave"]
    assert filtered(window, "deferred") == ["Dana Defer"]
    assert filtered(window, "active") == ["Amy Active", "Tom Transfer"]
    assert "Hybrid" in window.page.locator("tbody tr", has_text="Tom Transfer").inner_text()

    db.session.rollback()
    assert reconcile() == []
    window.a11y.assert_clean()
