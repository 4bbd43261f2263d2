"""The certification journey in a real browser, through the pages only: an applicant registers,
records eligibility and applies; staff verify and admit; the trainee logs hours, activities and
sessions; the supervisor returns one with a question, signs the amended one and bulk-signs the
rest; staff record payments and the final assessment and issue the certificate; a visitor opens
the address printed on the certificate and sees it valid, then revoked once staff revoke it.

Every page on the way is checked with axe-core (see conftest.py) at desktop width, and the
trainee home, the supervisor queue and the cohort page also at 360 px.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import segno
from sqlalchemy import select

from tests.browser.conftest import PHONE
from tests.browser.conftest import Person
from tests.browser.program import COHORT
from tests.browser.program import PROGRAM
from tests.browser.program import SCENARIO
from tests.browser.program import SUPERVISOR
from tests.browser.program import TRACK
from tests.browser.program import Setting
from tests.browser.program import open_program
from tests.browser.program import today
from tests.conftest import PASSWORD
from tracker.audit.models import AuditEvent
from tracker.extensions import db

APPLICANT = "Jordan Avery"
APPLICANT_EMAIL = "jordan.avery@example.org"
APPLICANT_PASSWORD = "river stones under a quiet moon"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
QUESTION = "Which phases did you lead yourself, and who monitored vital signs during dosing?"
ANSWER = "I led preparation and integration; the clinic's nurse monitored vital signs."
REFLECTION = (
    "I co-led the preparation conversation and stayed with the client through the dosing phase, "
    "checking in at the agreed intervals. Integration focused on the images the client brought "
    "back; next time I would leave more silence before offering an interpretation."
)

CERTIFICATE_ACTS = ("certificate.issued", "certificate.revoked", "certificate.reinstated")


def png(text: str) -> bytes:
    """A small real PNG image (a QR code of `text`)."""
    buffer = io.BytesIO()
    segno.make(text).save(buffer, kind="png", scale=2)
    return buffer.getvalue()


def days_ago(days: int) -> str:
    """A past date where the program is, as a date field takes it."""
    return (today() - timedelta(days=days)).isoformat()


def days_ahead(days: int) -> str:
    """A future date where the program is, as a date field takes it."""
    return (today() + timedelta(days=days)).isoformat()


def sign_in(window: Person, email: str, password: str = PASSWORD) -> None:
    """Sign in through the sign-in page."""
    window.open("/account/login")
    window.fill("E-mail address", email)
    window.fill("Password", password)
    window.press("Sign in")
    assert "Signed in as" in window.flash()


def waiting_count(window: Person) -> int:
    """How many entries the supervisor's queue says are waiting."""
    found = re.search(r"(\d+) waiting, oldest first", window.main_text())
    return int(found.group(1)) if found else 0


# -- the applicant --------------------------------------------------------------------------------


def applicant_registers(window: Person, inbox: Callable[[], list]) -> None:
    """From the sign-in page, through the e-mailed link, to an applicant account with a track
    and cohort chosen."""
    window.open("/")
    window.follow("Apply", exact=True)
    window.fill("Full name (as it should appear on a certificate)", APPLICANT)
    window.fill("E-mail address", APPLICANT_EMAIL)
    window.press("Continue")
    assert "Check your e-mail" in window.flash()
    message = inbox()[-1]
    assert message.to == APPLICANT_EMAIL
    window.open(re.search(r"/account/register/\S+", message.body).group(0))
    assert f"Welcome, {APPLICANT}" in window.main_text()
    window.fill("New password", APPLICANT_PASSWORD)
    window.fill("Repeat the password", APPLICANT_PASSWORD)
    window.press("Create account")
    assert "Your applicant account is ready" in window.flash()
    assert f"Welcome, {APPLICANT}" in window.main_text()

    window.follow("Choose a track and cohort")
    assert PROGRAM in window.main_text()
    window.tick(re.compile(rf"^{TRACK}: "))
    window.tick(re.compile(rf"^{COHORT}: "))
    window.press("Choose this track and cohort")
    assert "Your track and cohort are saved" in window.flash()


def applicant_records_eligibility(window: Person) -> None:
    """Licence and insurance with their documents, experience and the health screening."""
    window.follow("Eligibility", exact=True)
    window.follow("Add a licence")
    window.select("Licence type", "LCSW")
    window.fill("Licence number", "LCSW 98765")
    window.fill("Issuing state or country", "CA")
    window.fill("Issued on (optional)", days_ago(5 * 365))
    window.fill("Expires on", days_ahead(700))
    window.attach("Licence document", "licence.pdf", PDF, "application/pdf")
    window.press("Record licence")
    assert "Licence recorded" in window.flash()

    window.follow("Add an insurance policy")
    window.fill("Insurance carrier", "Pacific Professional Mutual")
    window.fill("Policy number", "PPM-2231-77")
    window.fill("Coverage starts on", days_ago(365))
    window.fill("Coverage ends on", days_ahead(365))
    window.fill("Coverage (optional)", "$1,000,000 per claim / $3,000,000 aggregate")
    window.attach("Certificate of insurance", "insurance.png", png("PPM-2231-77"), "image/png")
    window.press("Record insurance")
    assert "Insurance recorded" in window.flash()

    window.follow("Attest your experience")
    window.fill("Years of psychotherapy practice", "9")
    window.fill("Practice settings", "Community mental health; private practice.")
    window.page.get_by_role("checkbox").check()  # the attestation statement
    window.press("Attest")
    assert "Experience attested" in window.flash()

    window.follow("Answer the health screening")
    for question in window.page.locator("fieldset").all():
        willing = "willing" in question.locator("legend").inner_text().lower()
        window.tick("Yes" if willing else "No", within=question)
    window.fill("Signature: type your full name", APPLICANT)
    window.press("Sign the screening")
    assert "Health screening signed" in window.flash()
    text = window.main_text()
    assert "licence.pdf" in text and "insurance.png" in text


def applicant_applies(window: Person) -> None:
    """CV and statement uploaded, two references, the scenario answered, then submitted."""
    window.follow("Application", exact=True)
    for label, name, content, mime in (
        ("curriculum vitae", "cv.pdf", PDF, "application/pdf"),
        ("personal statement", "statement.png", png("statement"), "image/png"),
    ):
        window.follow(f"Upload {label}")
        window.attach("File", name, content, mime)
        window.press("Upload")
        assert "uploaded" in window.flash()

    for name, email, relationship in (
        ("Dr. Casey Morgan", "casey.morgan@example.org", "Clinical supervisor"),
        ("Sam Rivera", "sam.rivera@example.org", "Colleague"),
    ):
        window.follow("Add a reference")
        window.fill("Name", name)
        window.fill("E-mail address", email)
        window.select("How you know this person", relationship)
        window.press("Add reference")
        assert "Reference added" in window.flash()

    window.follow("Answer to scenario 1")
    assert SCENARIO in window.main_text()
    window.fill(
        "Your answer",
        "I decline kindly and restate the boundary agreed at consent: the session ends in the "
        "clinic. I arrange safe transport home and document the request and my response.",
    )
    window.press("Save answer")
    assert "Answer saved" in window.flash()

    assert "Missing:" not in window.main_text()
    window.press("Submit application")
    assert "Application submitted" in window.flash()
    assert "waiting for review" in window.main_text()


# -- staff admit ----------------------------------------------------------------------------------


def staff_record_supervisor_credentials(window: Person) -> None:
    """The supervisor's own licence and insurance, checked by staff, so they can sign."""
    window.follow("Supervisors", exact=True)
    assert "Supervisors who cannot sign now (1)" in window.main_text()
    window.follow(f"Record or view the credentials of {SUPERVISOR}")
    page = window.page
    licence = page.locator("form", has=page.get_by_role("button", name="Record verified licence"))
    window.select("Licence type", "PsyD", within=licence)
    window.fill("Licence number", "PSY 44120", within=licence)
    window.fill("Issuing state or country", "OR", within=licence)
    window.fill("Expires on", days_ahead(500), within=licence)
    window.select("How staff checked it", "Primary-source", within=licence)
    window.press("Record verified licence")
    assert "The licence is recorded and verified" in window.flash()

    insurance = page.locator("form", has=page.get_by_role("button", name="Record verified insur"))
    window.fill("Insurance carrier", "Cascade Liability Co.", within=insurance)
    window.fill("Policy number", "CLC-55-1", within=insurance)
    window.fill("Coverage starts on", days_ago(200), within=insurance)
    window.fill("Coverage ends on", days_ahead(400), within=insurance)
    window.select("How staff checked it", "carrier", within=insurance)
    window.press("Record verified insurance")
    assert "The insurance is recorded and verified" in window.flash()
    assert "Can sign on" in window.main_text()


def staff_verify_and_admit(window: Person) -> None:
    """Documents accepted, licence and insurance verified, screening cleared, admitted and a
    supervisor assigned: all on the applicant's review page."""
    window.follow("Admissions", exact=True)
    window.follow(APPLICANT, exact=True)
    assert "Submitted on" in window.main_text()

    for document in ("curriculum vitae", "personal statement"):
        part = window.expand(f"Review the {document}")
        window.tick("Accept", within=part)
        window.press("Save the review", within=part)
        assert "accepted" in window.flash()

    part = window.expand("Verify LCSW licence LCSW 98765")
    window.select("How it was checked", "Primary-source", within=part)
    window.fill("Note", "California Board of Behavioral Sciences look-up.", within=part)
    window.press("Record the verification", within=part)
    assert "The licence is verified" in window.flash()

    part = window.expand("Verify policy PPM-2231-77")
    window.select("How it was checked", "carrier", within=part)
    window.press("Record the verification", within=part)
    assert "The insurance is verified" in window.flash()

    part = window.expand("Record the clearance")
    window.tick("Cleared", within=part)
    window.press("Save the clearance", within=part)
    assert "Health screening: cleared" in window.flash()

    decision = window.page.locator("#decision")
    window.fill("Note (optional)", "Strong application; community practice.", within=decision)
    window.press(f"Admit {APPLICANT}")
    assert f"{APPLICANT} is admitted" in window.flash()

    part = window.expand("Assign or change supervisors")
    window.select("Primary supervisor", SUPERVISOR, within=part)
    window.press("Save the assignment", within=part)
    assert "Supervisor assignment saved" in window.flash()
    assert f"Primary: {SUPERVISOR}" in window.main_text()


# -- the trainee trains ---------------------------------------------------------------------------


def trainee_logs_hours(window: Person) -> None:
    """Two didactic entries and two experiential activities, each waiting for verification."""
    window.follow("Hours", exact=True)
    for day, topic, hours, provider in (
        (10, "Pharmacology and mechanisms", "2", "KAP Academy, module 1"),
        (9, "Ethics, consent and documentation", "1", "KAP Academy, module 4"),
    ):
        window.follow("Log didactic hours")
        window.fill("Date", days_ago(day))
        window.select("Topic", topic)
        window.fill("Hours", hours)
        window.fill("Course or provider", provider)
        window.press("Save")
        assert "Didactic hours logged" in window.flash()
    for day, activity in ((8, "Observation of a live KAP session"), (7, "Role-play")):
        window.follow("Log an activity")
        window.select("Activity", activity)
        window.fill("Date", days_ago(day))
        window.fill("Hours", "1")
        window.fill("Facilitator", "Dr. Lee Okafor")
        window.press("Save")
        assert "Experiential activity logged" in window.flash()
    assert "0 of 5" in window.main_text()  # nothing counts before it is verified


def trainee_records_sessions(window: Person) -> None:
    """Two supervised sessions submitted for sign-off, and a case presentation."""
    window.follow("Sessions", exact=True)
    for day, role, mode in ((6, "Co-therapist", "Live"), (5, "Lead", "Video review")):
        window.follow("Record a session")
        window.fill("Date of the session", days_ago(day))
        assert window.page.get_by_label("Client code").input_value()  # a random code is offered
        window.select("Setting", "Clinic")
        window.select("Administration route", "IM (intramuscular)")
        window.tick(role)
        window.tick(mode)
        window.tick("Preparation phase covered")
        window.tick("Dosing phase covered")
        window.fill("Duration (minutes)", "120")
        window.fill("Your reflection", REFLECTION)
        window.press("Save as draft")
        assert "Session saved as a draft" in window.flash()
        window.press("Submit for sign-off")
        assert "Session submitted for sign-off" in window.flash()
        assert SUPERVISOR in window.main_text()  # it waits on the assigned supervisor
        window.follow("All your sessions")

    window.follow("Your case presentations")
    window.follow("Record a presentation")
    window.fill("Date", days_ago(4))
    window.fill("Title", "Integration after a difficult dosing session")
    window.select("Audience", "Peer group")
    window.press("Save")
    assert "Case presentation recorded" in window.flash()


# -- the supervisor signs -------------------------------------------------------------------------


def open_first_session(window: Person) -> None:
    """From the queue, open the session of six days ago."""
    row = window.page.locator("tr", has_text=days_ago(6)).filter(has_text="Supervised session")
    window.click(row.get_by_role("link"))


def supervisor_returns_a_session(window: Person) -> None:
    """The first session goes back to the trainee with a question."""
    window.follow("Sign-offs", exact=True)
    assert waiting_count(window) == 6  # two sessions, two didactic, two experiential entries
    open_first_session(window)
    window.fill("Question", QUESTION)
    window.press("Return with this question")
    assert "Returned to the trainee with your question" in window.flash()
    assert waiting_count(window) == 5


def trainee_answers_and_resubmits(window: Person) -> None:
    """The trainee sees the question, answers it, amends the session and submits it again."""
    window.follow("Home", exact=True)
    assert "returned" in window.main_text()
    window.follow("Sessions", exact=True)
    window.follow(days_ago(6), exact=True)
    text = window.main_text()
    assert "Returned with a question" in text and QUESTION in text
    window.fill("Your answer (optional)", ANSWER)
    window.press("Save answer")
    assert "Answer saved" in window.flash()
    window.follow("Edit", exact=True)
    window.tick("Integration phase covered")
    window.fill("Your reflection", REFLECTION + " The clinic's nurse monitored vital signs.")
    window.press("Save as returned session")
    assert "Session updated" in window.flash()
    window.press("Submit for sign-off")
    assert "Session submitted for sign-off" in window.flash()
    assert ANSWER in window.main_text()


def supervisor_signs(window: Person) -> None:
    """The amended session signed on its own page, then the rest in one bulk signature."""
    window.follow("Sign-offs", exact=True)
    assert waiting_count(window) == 6
    open_first_session(window)
    text = window.main_text()
    assert QUESTION in text and ANSWER in text and "Preparation, dosing, integration" in text
    signed_page = window.page.url.removeprefix(window.base_url)
    window.fill("Your password", PASSWORD)
    window.press("Sign", exact=True)
    assert "Signed 1 entry" in window.flash()
    # Signing one entry opens the next one waiting; the signed one shows its signature.
    assert "Next waiting:" in window.flash() and not window.page.url.endswith(signed_page)
    window.open(signed_page)
    assert f"Signed by {SUPERVISOR}" in window.main_text()

    window.follow("Back to your sign-offs")
    assert waiting_count(window) == 5
    for box in window.page.get_by_role("checkbox", name=re.compile("^Select ")).all():
        box.check()
    window.fill("Your password", PASSWORD)
    window.press("Sign the selected entries")
    assert "Signed 5 entries" in window.flash()
    assert "Nothing is waiting for you" in window.main_text()


def supervisor_evaluates_competencies(window: Person) -> None:
    """The supervisor rates every competency domain of their trainee."""
    window.follow("Assessments", exact=True)
    window.follow(APPLICANT, exact=True)
    window.follow("Evaluate competencies")
    for domain in window.page.locator("fieldset").all():
        domain.get_by_role("radio").last.check()  # the highest rating
    window.press("Record the evaluation")
    assert "Competency evaluation recorded" in window.flash()


# -- staff finish ---------------------------------------------------------------------------------


def staff_record_payments(window: Person) -> None:
    """Tuition charged, then paid in two payments."""
    window.follow("Ledgers", exact=True)
    window.fill("Trainee name or e-mail", "Avery")
    window.select("Show", "Every enrollment")
    window.press("Find")
    window.follow(APPLICANT, exact=True)
    window.press("Charge tuition of $4,500.00")
    assert "Tuition of $4,500.00 charged" in window.flash()
    for amount, method, reference in (
        ("2,000.00", "Card", "AUTH 5521"),
        ("2,500.00", "Bank transfer", "WIRE 88-1"),
    ):
        part = window.expand("Record a payment")
        window.fill("Amount (US dollars)", amount, within=part)
        window.fill("Description", "Tuition payment", within=part)
        window.select("Method", method, within=part)
        window.fill("Reference (optional)", reference, within=part)
        window.press("Record a payment", within=part)
        assert f"Payment of ${amount} recorded" in window.flash()
    assert "$0.00" in window.main_text()


def staff_record_assessment(window: Person) -> None:
    """The exam attempt and the case-presentation evaluation."""
    window.follow("Final assessment")
    part = window.expand("Record an exam attempt")
    window.fill("Score (0 to 100)", "88", within=part)
    window.press("Record the attempt", within=part)
    assert "Exam attempt recorded: score 88" in window.flash()
    part = window.expand("Record the case evaluation")
    window.tick("Passed", within=part)
    window.fill("Notes (optional)", "Clear formulation; safe handling of a crisis.", within=part)
    window.press("Record the evaluation", within=part)
    assert "Case evaluation recorded" in window.flash()


def staff_issue_certificate(window: Person) -> str:
    """Issue the certificate once nothing blocks it; return its number."""
    window.follow("Certificates", exact=True)
    window.follow(APPLICANT, exact=True)
    assert "Ready: nothing blocks the certificate" in window.main_text()
    window.follow("Issue the certificate…")  # a confirmation page first
    window.fill("Your password", PASSWORD)
    window.press("Issue the certificate")
    issued = re.search(r"Certificate (\S+) issued", window.flash())
    assert issued, window.flash()
    return issued.group(1)


def staff_revoke_certificate(window: Person) -> None:
    """Revoke the certificate with a reason, confirmed with the password (a wrong one first:
    refused, nothing revoked)."""
    window.follow("Revoke the certificate…")
    window.fill("Reason for revoking", "Recorded as suspended by the board: a mix-up of names.")
    window.fill("Your password", "not my password")
    window.press("Revoke the certificate")
    assert "password is not correct" in window.main_text()
    window.fill("Your password", PASSWORD)
    window.press("Revoke the certificate")
    assert "revoked" in window.flash()


def staff_reinstate_certificate(window: Person) -> None:
    """Reinstate the certificate revoked by mistake, with a reason and the password."""
    window.follow("Reinstate the certificate…")
    window.fill("Reason for reinstating", "Revoked by mistake: the suspension was another's.")
    window.fill("Your password", PASSWORD)
    window.press("Reinstate the certificate")
    assert "reinstated" in window.flash()
    history = window.page.locator("tr.status-change").all_inner_texts()
    assert [row.split("\t")[1] for row in history] == ["Valid", "Revoked", "Valid"]


# -- the certificate and its verification ---------------------------------------------------------


def pdf_text(content: bytes) -> str:
    """The PDF's bytes with its compressed streams inflated, as text."""
    parts = [content]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue  # not a deflated stream
    return b"\n".join(parts).decode("latin-1")


def trainee_reads_verification_url(window: Person, number: str) -> str:
    """Download the certificate PDF and read the verification address printed on it."""
    window.follow("Certificate", exact=True)
    text = window.main_text()
    assert number in text and APPLICANT in text
    with window.page.expect_download() as download:
        window.page.get_by_role("link", name="Download the certificate (PDF)").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF")
    printed = re.search(r"https?://[^\s()<>\\]+/verify/[A-Za-z0-9_-]+", pdf_text(content))
    assert printed, "no verification address in the certificate PDF"
    url = printed.group(0)
    assert url.startswith(window.base_url)
    assert url in text  # the trainee's page shows the same address
    return url


def visitor_sees(window: Person, url: str, status: str) -> None:
    """An anonymous visitor opens the verification address and reads the status in words."""
    window.open(url)
    text = window.main_text()
    assert APPLICANT in text and PROGRAM in text and "Issued on" in text
    assert window.page.locator(".status-badge").inner_text() == status


# -- the journey ----------------------------------------------------------------------------------


def test_from_application_to_a_revoked_and_reinstated_certificate(
    app, create_user, person, accessibility, run_jobs, mail_outbox, runner
):
    setting: Setting = open_program(create_user)
    applicant, staff, supervisor, visitor = person(), person(), person(), person()

    def inbox() -> list:
        """The worker's turn: send what the pages queued; every message sent so far."""
        run_jobs()
        return mail_outbox

    applicant_registers(applicant, inbox)
    applicant_records_eligibility(applicant)
    applicant_applies(applicant)

    sign_in(staff, setting.staff.email)
    staff_record_supervisor_credentials(staff)
    staff_verify_and_admit(staff)
    subjects = [message.subject for message in inbox()]
    # The admission, and (the supervisors assigned with it) the supervisor's notice.
    assert any(subject.startswith("Admitted to") for subject in subjects)
    assert any(
        subject.startswith("You were assigned as primary supervisor") for subject in subjects
    )

    trainee_logs_hours(applicant)
    trainee_records_sessions(applicant)

    sign_in(supervisor, setting.supervisor.email)
    supervisor_phone = person(PHONE)  # the queue at 360 px, with entries waiting
    sign_in(supervisor_phone, setting.supervisor.email)
    supervisor_phone.follow("Sign-offs", exact=True)
    supervisor_returns_a_session(supervisor)
    trainee_phone = person(PHONE)  # the trainee home at 360 px, with a question waiting
    sign_in(trainee_phone, APPLICANT_EMAIL, APPLICANT_PASSWORD)
    assert "returned" in trainee_phone.main_text()
    trainee_answers_and_resubmits(applicant)
    supervisor_signs(supervisor)
    supervisor_evaluates_competencies(supervisor)

    staff_record_payments(staff)
    staff_record_assessment(staff)
    staff.follow("Home", exact=True)  # the cohort page
    assert APPLICANT in staff.main_text()
    staff_phone = person(PHONE)  # the cohort page at 360 px
    sign_in(staff_phone, setting.staff.email)
    assert APPLICANT in staff_phone.main_text()
    number = staff_issue_certificate(staff)

    url = trainee_reads_verification_url(applicant, number)
    visitor_sees(visitor, url, "Valid")
    staff_revoke_certificate(staff)
    visitor_sees(visitor, url, "Revoked")
    assert "Revoked on" in visitor.main_text()
    staff_reinstate_certificate(staff)
    visitor_sees(visitor, url, "Valid")  # the same address: the same verification code
    history = visitor.page.locator("tr.status-change").all_inner_texts()
    assert [row.split("\t")[1] for row in history] == ["Valid", "Revoked", "Valid"]
    assert "Revoked on" not in visitor.main_text()
    db.session.rollback()
    acts = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.in_(CERTIFICATE_ACTS))
        .order_by(AuditEvent.id)
    ).all()
    assert acts == list(CERTIFICATE_ACTS)  # issued, revoked, then reinstated: each in the trail
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output

    accessibility.assert_clean()
    phone_pages = {path for path, width in accessibility.audited if width == PHONE["width"]}
    assert {"/dashboard/trainee", "/signoffs/", "/dashboard/cohort"} <= phone_pages
