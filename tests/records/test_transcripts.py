"""Hours transcripts: generated through a POST into a stored record (who, when, a fingerprint of
what it states), downloaded as a PDF whose figures are the engine's, with the record's code on
every page; the code checks at /verify; the trainee, their supervisors and staff may have one,
anyone else gets a 404."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import post_form
from tests.records.builders import fill_record
from tests.signoffs.factories import sign_form
from tests.training.factories import count
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.records.models import TranscriptRecord
from tracker.standing import assess_one
from tracker.training.queries import didactic_totals
from tracker.training.queries import experiential_totals


def _pages(content: bytes) -> list[str]:
    """Each page's text, runs of white space made one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def _h(value) -> str:
    """Hours as the transcript prints them."""
    return format(value.normalize(), "f")


def _generate(client, enrollment) -> TranscriptRecord:
    before = count(TranscriptRecord)
    response = post_form(client, f"/transcripts/enrollments/{enrollment.id}/generate")
    assert response.status_code == 302
    assert count(TranscriptRecord) == before + 1
    return db.session.scalars(
        select(TranscriptRecord).order_by(TranscriptRecord.id.desc()).limit(1)
    ).one()


def test_the_pdf_states_the_engine_figures_and_its_code_on_every_page(
    as_user, enrollment, supervisor, trainee
):
    filled = fill_record(as_user(supervisor), enrollment, supervisor)
    client = as_user(trainee)
    made = _generate(client, enrollment)
    assert made.generated_by_name == "Tara Trainee" and len(made.fingerprint) == 64
    response = client.get(f"/transcripts/{made.id}/transcript.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    pages = _pages(response.data)
    text = "\n".join(pages)
    standing = assess_one(enrollment.id)
    didactic = didactic_totals(standing.spec, standing.facts)
    experiential = experiential_totals(standing.spec, standing.facts)
    assert "Hours transcript" in text and "Tara Trainee" in text
    assert (
        f"Verified didactic and experiential hours: {_h(experiential.program_verified)} of "
        f"{_h(experiential.program_required)} required" in text
    )
    for topic in didactic.topics:
        row = f"{topic.name} {_h(topic.verified)} {_h(topic.minimum)}"
        assert row in text, row
    assert f"All topics {_h(didactic.verified)} {_h(didactic.required)}" in text
    # The signed session: its date, the supervisor's printed name and the signature's time.
    session = filled.signed_session
    db.session.refresh(session)
    assert session.on.isoformat() in text and "Dr. Sue Signer" in text
    assert session.signed_at.strftime("%Y-%m-%d %H:%M UTC") in text
    assert "Signed sessions that count: 1 of 4." in text
    assert "Integration after a difficult dosing session" in text
    assert "Knowledge exam: not passed (best score 72" in text
    assert "Case presentation: passed" in text and "No certificate issued." in text
    assert "Competency evaluation: " in text and "2 domains, every domain meets" in text
    assert all(f"Transcript verification code: {made.code}" in page for page in pages)
    assert all(f"/verify/transcripts/{made.code}" in page for page in pages)
    # The waiting session is not on it: only signed sessions are listed.
    assert text.count("Co-therapist") == 1


def test_the_code_verifies_and_says_when_the_record_moved_on(
    as_user, enrollment, supervisor, staff, client
):
    filled = fill_record(as_user(supervisor), enrollment, supervisor)
    made = _generate(as_user(staff), enrollment)
    page = client.get(f"/verify/transcripts/{made.code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Current." in html and "Tara Trainee" in html and "Stella Staff" in html
    assert made.fingerprint in html and "5.5 of 140 required" in html
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    # The typed code from the verification page leads to the same check.
    lookup = client.get(f"/verify/transcripts?code={made.code}")
    assert lookup.headers["Location"].endswith(f"/verify/transcripts/{made.code}")
    assert "Verify an hours transcript" in client.get("/verify").get_data(as_text=True)
    # More hours verified: what the transcript states is no longer what the record states.
    key = f"didactic:{filled.waiting_hours.id}"
    post_form(as_user(supervisor), "/signoffs/sign", sign_form(key))
    html = client.get(f"/verify/transcripts/{made.code}").get_data(as_text=True)
    assert "No longer current." in html and "5.5 of 140 required" in html
    assert client.get("/verify/transcripts/not-a-code").status_code == 404


def test_gets_never_write(as_user, enrollment, supervisor, trainee, client):
    fill_record(as_user(supervisor), enrollment, supervisor)
    mine = as_user(trainee)
    events = count(AuditEvent)
    assert mine.get(f"/transcripts/enrollments/{enrollment.id}").status_code == 200
    assert mine.get("/transcripts/mine").status_code == 302
    assert count(TranscriptRecord) == 0 and count(AuditEvent) == events
    made = _generate(mine, enrollment)
    events = count(AuditEvent)
    mine.get(f"/transcripts/{made.id}/transcript.pdf")
    client.get(f"/verify/transcripts/{made.code}")
    assert count(TranscriptRecord) == 1 and count(AuditEvent) == events
    action = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first()
    assert action == "transcript.generated"
    # Without the form's token nothing is made.
    assert mine.post(f"/transcripts/enrollments/{enrollment.id}/generate").status_code == 400
    assert count(TranscriptRecord) == 1


def test_who_may_have_a_transcript(
    as_user, enrollment, supervisor, other_supervisor, staff, trainee, create_user, client
):
    made = _generate(as_user(staff), enrollment)
    pages = (
        f"/transcripts/enrollments/{enrollment.id}",
        f"/transcripts/{made.id}/transcript.pdf",
    )
    for person in (trainee, supervisor, staff):
        signed_in = as_user(person)
        assert all(signed_in.get(url).status_code == 200 for url in pages), person.full_name
    stranger = create_user("trainee", name="Sam Stranger")
    for person in (other_supervisor, stranger):
        signed_in = as_user(person)
        assert all(signed_in.get(url).status_code == 404 for url in pages), person.full_name
        response = post_form(signed_in, f"/transcripts/enrollments/{enrollment.id}/generate")
        assert response.status_code == 404
    assert count(TranscriptRecord) == 1
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    # The trainee's home links their transcripts.
    home = as_user(trainee).get("/dashboard/trainee").get_data(as_text=True)
    assert f"/transcripts/enrollments/{enrollment.id}" in home
