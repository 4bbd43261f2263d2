"""A lapsed certificate cannot be made valid by its holder alone, in a real browser: signed in as
the lapsed holder, log 12 CE credits (self-study, provider Myself) and 6 consultation hours dated
inside the past cycle; both wait for review and the public verification page stays Lapsed.
Staff reject one with a reason; the holder answers it, which resubmits it; staff approve both
with one password; the verification page turns Valid.

Every page on the way is checked with axe-core (see conftest.py).
"""

from __future__ import annotations

import re
from datetime import timedelta

from tests.browser.conftest import Person
from tests.browser.test_journey import PDF
from tests.browser.test_journey import sign_in
from tests.certificates.factories import backdate
from tests.certificates.factories import ready_enrollment
from tests.certificates.factories import today
from tests.conftest import PASSWORD
from tracker.certificates import services as certificates
from tracker.extensions import db

HOLDER = "Dr. Marcus Bell"
HOLDER_EMAIL = "lapsed@example.org"
REASON = "Peer consultation needs the group's attendance record, not a self-attestation."
ANSWER = "The group's attendance record is the file attached: it lists my six hours."


def status_of(visitor: Person, code: str) -> str:
    """The status the public verification page shows, in words."""
    visitor.open(f"/verify/{code}")
    assert HOLDER in visitor.main_text()
    return visitor.page.locator(".status-badge").inner_text()


def log_ce(holder: Person, kind: str, on: str, title: str, amount: str) -> None:
    """Log a CE or consultation entry with its certificate of attendance."""
    holder.follow("Log CE or consultation")
    holder.select("Kind", kind)
    holder.fill("Date", on)
    holder.fill("Course title", title)
    holder.fill("Provider", "Myself")
    holder.fill("Credits or hours", amount)
    holder.attach("Certificate of attendance", "attendance.pdf", PDF, "application/pdf")
    holder.press("Save")
    assert "waits for review by program staff" in holder.flash()


def waiting(staff: Person) -> int:
    """How many entries the CE review queue says are waiting."""
    found = re.search(r"(\d+) waiting, oldest first", staff.main_text())
    return int(found.group(1)) if found else 0


def row(window: Person, text: str):
    """The table row that contains `text`."""
    return window.page.locator("tbody tr", has_text=text)


def test_a_lapsed_holder_cannot_make_the_certificate_valid_alone(
    app, create_user, person, accessibility
):
    staff_user = create_user("staff", name="Morgan Staff", email="staff@example.org")
    holder_user = create_user("trainee", name=HOLDER, email=HOLDER_EMAIL)
    enrollment = ready_enrollment(holder_user)
    cert = certificates.issue_certificate(enrollment.id, staff_user, None, password=PASSWORD)
    db.session.commit()
    # Issued 800 days ago: the first 24-month cycle and its 60-day grace period are over.
    backdate(cert, today() - timedelta(days=800))
    code = cert.verification_code
    inside_past_cycle = (today() - timedelta(days=700)).isoformat()
    holder, staff, visitor = person(), person(), person()
    assert status_of(visitor, code) == "Lapsed"

    sign_in(holder, HOLDER_EMAIL)
    holder.follow("CE", exact=True)
    log_ce(holder, "CE credits", inside_past_cycle, "Self-study", "12")
    log_ce(holder, "Peer consultation hours", inside_past_cycle, "Peer consultation", "6")
    assert holder.main_text().count("Pending review") >= 2
    assert status_of(visitor, code) == "Lapsed"

    sign_in(staff, "staff@example.org")
    staff.follow("CE review", exact=True)
    assert waiting(staff) == 2
    staff.click(
        row(staff, "Peer consultation hours").get_by_role("link", name=re.compile("^Review"))
    )
    assert "Dated inside a closed cycle" in staff.main_text()
    staff.fill("Reason for rejecting", REASON)
    staff.press("Reject with this reason")
    assert "Rejected" in staff.flash()
    assert waiting(staff) == 1
    assert status_of(visitor, code) == "Lapsed"

    holder.follow("CE", exact=True)
    rejected = row(holder, "Rejected")
    assert "Peer consultation hours" in rejected.inner_text() and REASON in rejected.inner_text()
    holder.click(rejected.get_by_role("link", name=re.compile("^Details")))
    holder.fill("Your answer", ANSWER)
    holder.press("Answer and resubmit")
    assert "waits for staff review again" in holder.flash()

    staff.follow("CE review", exact=True)
    assert waiting(staff) == 2
    for box in staff.page.get_by_role("checkbox", name=re.compile("^Select ")).all():
        box.check()
    staff.fill("Your password", PASSWORD)
    staff.press("Approve the selected entries")
    assert "Signed 2 entries" in staff.flash()
    assert "No continuing education is waiting" in staff.main_text()

    assert status_of(visitor, code) == "Valid"
    holder.follow("CE", exact=True)
    assert holder.main_text().count("Approved") >= 2
    accessibility.assert_clean()
