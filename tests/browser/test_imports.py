"""Staff import a Moodle course completion report and a Canvas Roll Call attendance report
(built here with the column names those systems write) through the pages in a real browser:
preview, commit, importing the same file again creates nothing, and a batch is undone with a
reason. The import pages pass axe and fit a 360 px phone."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from tests.browser.conftest import PHONE
from tests.browser.conftest import Person
from tests.browser.test_phone import TOLERANCE
from tests.browser.test_phone import overflow
from tests.conftest import PASSWORD
from tests.imports.factories import COURSE_MAP
from tests.imports.factories import admitted
from tests.imports.factories import canvas_csv
from tests.imports.factories import moodle_csv
from tests.imports.factories import running_program
from tracker.core.clock import today_in
from tracker.extensions import db
from tracker.imports import services
from tracker.training.models import DidacticEntry

PROGRAM = "Cascadia KAP Institute"
FIELD = "Attendance export (CSV)"


def sign_in(window: Person, email: str) -> None:
    """Sign in through the sign-in page."""
    window.open("/account/login")
    window.fill("E-mail address", email)
    window.fill("Password", PASSWORD)
    window.press("Sign in")


def entries() -> int:
    db.session.rollback()  # read what the pages committed
    return db.session.scalar(select(func.count(DidacticEntry.id)))


def exports() -> tuple[bytes, bytes]:
    today = today_in("UTC")
    moodle = moodle_csv(
        [
            (
                "Ann Lee",
                "ann@example.org",
                "KAP 101: Pharmacology of ketamine",
                today - timedelta(days=6),
            ),
            (
                "Bo Park",
                "bo@example.org",
                "KAP 102: Safety and screening",
                today - timedelta(days=5),
            ),
        ]
    )
    canvas = canvas_csv(
        [
            ("Lee, Ann", "ann@example.org", "Ethics seminar", today - timedelta(days=2), "present"),
            ("Park, Bo", "bo@example.org", "Ethics seminar", today - timedelta(days=2), "absent"),
            ("Park, Bo", "bo@example.org", "Ethics seminar", today - timedelta(days=1), "late"),
        ]
    )
    return moodle, canvas


def preview_of(window: Person, name: str, content: bytes) -> str:
    """Upload a file on the program's import page and return the preview's text."""
    window.open("/imports/")
    window.follow(PROGRAM, exact=True)
    window.attach(FIELD, name, content, "text/csv")
    window.press("Preview")
    return window.main_text()


def test_import_moodle_and_canvas_then_again_then_undo(app, create_user, person, accessibility):
    staff_user = create_user("staff", email="casey.staff@example.org", name="Casey Staff")
    program = running_program(name=PROGRAM)
    for email, name in (("ann@example.org", "Ann Lee"), ("bo@example.org", "Bo Park")):
        admitted(create_user("trainee", email=email, name=name), program)
    services.save_layout(program, None, COURSE_MAP, staff_user)
    db.session.commit()
    moodle, canvas = exports()

    staff = person()
    sign_in(staff, staff_user.email)
    staff.follow("Import hours", exact=True)

    text = preview_of(staff, "completion.csv", moodle)
    assert "Read as a Moodle course completion report" in text
    assert "2 will be created, 0 duplicates, 0 errors" in text
    assert "Ann Lee (ann@example.org)" in text and "Safety, screening and monitoring" in text
    staff.press("Import 2 entries (5.50 hours)")
    assert "Imported 2 entries (5.50 hours), verified by the program." in staff.flash()
    assert entries() == 2

    text = preview_of(staff, "completion.csv", moodle)
    assert "0 will be created, 2 duplicates, 0 errors" in text
    assert "Nothing new to import" in text
    assert staff.page.get_by_role("button", name="Import").count() == 0
    assert entries() == 2

    text = preview_of(staff, "rollcall.csv", canvas)
    assert "Read as a Canvas attendance (Roll Call) report" in text
    assert "2 will be created, 0 duplicates, 0 errors" in text
    assert "1 rows not marked present were left out" in text
    staff.press("Import 2 entries (4.00 hours)")
    assert "Imported 2 entries (4.00 hours)" in staff.flash()
    assert entries() == 4
    canvas_batch = staff.page.url

    # The first batch (Moodle) is undone with a reason; the Canvas one stays.
    staff.open("/imports/")
    staff.follow(PROGRAM, exact=True)
    staff.click(staff.page.get_by_role("link", name=re.compile(r"^Batch \d+$")).last)  # oldest
    staff.fill("Reason", "Moodle sent last term's report.")
    staff.press("Undo the import")
    assert "The import was undone" in staff.flash()
    assert "Moodle sent last term's report." in staff.main_text()
    assert entries() == 2

    phone = person(PHONE)
    sign_in(phone, staff_user.email)
    too_wide = {}
    for path in (
        "/imports/",
        f"/imports/programs/{program.id}",
        f"/imports/programs/{program.id}/course-map",
        canvas_batch.removeprefix(phone.base_url),
    ):
        phone.open(path)
        reach = overflow(phone)
        if max(reach.values()) > TOLERANCE:
            too_wide[path] = reach
    text = preview_of(phone, "completion.csv", moodle)  # the preview page on the phone
    assert "2 will be created" in text
    reach = overflow(phone)
    if max(reach.values()) > TOLERANCE:
        too_wide["preview"] = reach
    assert not too_wide, f"wider than {PHONE['width']} px: {too_wide}"
    accessibility.assert_clean()
