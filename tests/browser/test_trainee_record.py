"""A supervisor works from one trainee's record, in a real browser: from "Your trainees" they
open the record, open a waiting session from it, sign it and land on the trainee's next waiting
entry; back on the record, "Select all" checks the rest in place (the app's own script) and one
password signs them. A transcript of the record is generated, downloaded as a PDF, and the code
printed on it checks on the public verification page. The new pages pass axe-core and fit a
360 px screen.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader

from tests.browser.conftest import PHONE
from tests.browser.test_journey import sign_in
from tests.browser.test_phone import TOLERANCE
from tests.browser.test_phone import overflow
from tests.conftest import PASSWORD
from tests.signoffs.factories import give_credentials
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_experiential
from tests.signoffs.factories import waiting_session
from tests.training.factories import assign
from tests.training.factories import make_enrollment


def checked(window) -> int:
    """How many entries are selected."""
    return window.page.locator('input[name="selected"]:checked').count()


def test_a_supervisor_signs_from_the_trainee_record(app, create_user, person, accessibility):
    supervisor = create_user("supervisor", name="Dr. Sue Signer", email="sue@example.org")
    trainee = create_user("trainee", name="Tara Trainee", email="tara@example.org")
    give_credentials(supervisor)
    give_credentials(trainee)
    enrollment = make_enrollment(trainee)
    assign(enrollment, supervisor)
    other = make_enrollment(create_user("trainee", name="Otis Second"))
    assign(other, supervisor)
    waiting_experiential(other, days_ago=20)  # older, but another trainee's
    waiting_session(enrollment, supervisor, days_ago=6)
    waiting_session(enrollment, supervisor, days_ago=4, duration_minutes=90)
    waiting_didactic(enrollment, days_ago=3, hours="3")

    window = person()
    sign_in(window, "sue@example.org")
    assert "Your trainees" in window.main_text()
    window.follow("Tara Trainee", exact=True)
    assert "Trainee record: Tara Trainee" in window.main_text()
    window.click(window.page.get_by_role("link", name="Supervised session").first)
    window.fill("Your password", PASSWORD)
    window.press("Sign", exact=True)
    assert "Signed 1 entry." in window.flash()
    assert "Next waiting: supervised session of Tara Trainee." in window.flash()
    assert re.search(r"/signoffs/session/\d+$", window.page.url)

    window.follow("Back to your sign-offs")
    window.follow("Tara Trainee", exact=True)
    assert checked(window) == 0
    window.page.get_by_role("link", name="Select all 2").click()  # in place: no new page
    assert checked(window) == 2
    window.fill("Your password", PASSWORD)
    window.press("Sign the selected entries")
    assert "Signed 2 entries." in window.flash()
    assert "Trainee record: Tara Trainee" in window.main_text()
    assert window.main_text().count("Signed by Dr. Sue Signer") == 3

    window.follow("Transcripts", exact=True)
    window.press("Generate a transcript of the record as it stands now")
    assert "Transcript generated" in window.flash()
    with window.page.expect_download() as download:
        window.page.get_by_role("link", name=re.compile("^Download PDF")).first.click()
    content = Path(download.value.path()).read_bytes()
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )
    assert "Tara Trainee" in text and "Signed sessions that count: 2 of 4." in text
    code = re.search(r"Transcript verification code: (\S+)", text).group(1)

    visitor = person()
    visitor.open("/verify")
    visitor.fill("Verification code printed at the foot of each page", code)
    visitor.press("Check the transcript")
    assert "Current." in visitor.main_text() and "Dr. Sue Signer" in visitor.main_text()

    phone = person(PHONE)
    sign_in(phone, "sue@example.org")
    for path in (
        f"/signoffs/trainees/{enrollment.id}",
        f"/transcripts/enrollments/{enrollment.id}",
        f"/verify/transcripts/{code}",
        "/signoffs/?select=all",
    ):
        phone.open(path)
        reach = overflow(phone)
        assert reach["page"] <= TOLERANCE, (path, reach)
    accessibility.assert_clean()
