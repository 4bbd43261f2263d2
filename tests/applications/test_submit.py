"""The checklist and submission: refused with what is missing until complete, then the
enrollment becomes submitted."""

from __future__ import annotations

from datetime import timedelta

from tests.applications.factories import add_document
from tests.applications.factories import complete_application
from tests.applications.factories import complete_eligibility
from tests.applications.factories import stored_file
from tests.conftest import post_form
from tests.eligibility.factories import add_licence
from tests.eligibility.factories import day
from tests.enrollments.factories import count
from tests.enrollments.factories import enroll
from tracker.audit.models import AuditEvent
from tracker.eligibility.models import Licence
from tracker.extensions import db
from tracker.extensions import utcnow

SUBMIT = "/applications/submit"


def _submit(client):
    return post_form(client, SUBMIT, follow_redirects=True).get_data(as_text=True)


def _missing(text: str) -> str:
    """The refusal message's list of missing items ("" when the submission was not refused)."""
    marker = "Still missing: "
    if marker not in text:
        return ""
    return text.split(marker, 1)[1].split("</div>", 1)[0]


def test_an_empty_application_lists_everything_missing(signed_in, enrollment):
    page = signed_in.get("/applications/").get_data(as_text=True)
    assert "Missing:</strong> Curriculum vitae" in page
    assert "Missing:</strong> Ethical scenario 3" in page
    text = _submit(signed_in)
    assert "The application cannot be submitted yet. Still missing:" in text
    text = _missing(text)
    for item in (
        "Curriculum vitae",
        "Personal statement",
        "Licence of an accepted type, not expired",
        "Licence document",
        "Professional liability insurance, not expired",
        "Insurance certificate",
        "Psychotherapy experience attested",
        "Health screening signed",
        "Professional references (0 of 2 given)",
        "Ethical scenario 1",
        "Ethical scenario 2",
        "Ethical scenario 3",
    ):
        assert item in text
    db.session.refresh(enrollment)
    assert enrollment.status == "applicant" and enrollment.submitted_at is None


def test_a_complete_application_is_submitted(signed_in, enrollment):
    complete_application(enrollment)
    page = signed_in.get("/applications/").get_data(as_text=True)
    assert "Missing:" not in page
    events = count(AuditEvent)
    text = _submit(signed_in)
    assert "Application submitted." in text
    db.session.refresh(enrollment)
    assert enrollment.status == "submitted"
    assert utcnow() - enrollment.submitted_at < timedelta(minutes=1)
    assert count(AuditEvent) == events + 1
    assert "Submitted on" in text
    assert "Submit application" not in text


def test_one_missing_item_is_named(signed_in, enrollment):
    complete_application(enrollment, skip=("disclosure",))
    assert _missing(_submit(signed_in)) == "Ethical scenario 3 (not answered yet)."
    db.session.refresh(enrollment)
    assert enrollment.status == "applicant"


def test_a_rejected_document_counts_as_missing(signed_in, enrollment):
    complete_application(enrollment, skip=("cv",))
    add_document(enrollment, "cv", status="rejected", note="Please send the full CV")
    missing = _missing(_submit(signed_in))
    assert missing.startswith(
        "Curriculum vitae (returned by staff, upload a new one (Please send the full CV))"
    )


def test_an_expired_licence_or_one_without_a_document_does_not_count(
    signed_in, trainee, enrollment
):
    complete_application(enrollment)
    db.session.query(Licence).delete()
    db.session.commit()
    add_licence(
        trainee, issued_on=day(-900), expires_on=day(-1), document_id=stored_file(trainee).id
    )
    assert "Licence of an accepted type, not expired" in _missing(_submit(signed_in))
    add_licence(trainee, number="NO-DOC-1")
    missing = _missing(_submit(signed_in))
    assert "Licence of an accepted type, not expired" not in missing
    assert "Licence document (upload it with your licence record)" in missing
    db.session.refresh(enrollment)
    assert enrollment.status == "applicant"


def test_a_licence_type_the_track_does_not_accept_does_not_count(app, create_user, auth, client):
    trainee = create_user("trainee", name="Mo Md", email="mo@example.org")
    enrollment = enroll(trainee, accepted_licence_types=["MD", "DO"])
    complete_application(enrollment)  # records an LCSW licence
    auth.login(trainee)
    assert "record a current licence (MD, DO)" in _missing(_submit(client))


def test_the_requirement_set_decides_what_is_needed(create_user, auth, client):
    trainee = create_user("trainee", name="Lee Light", email="lee@example.org")
    enrollment = enroll(
        trainee,
        references_required=0,
        health_screening_required=False,
        documents_required=["cv"],
        ethical_scenarios=[],
    )
    complete_eligibility(trainee)
    add_document(enrollment, "cv")
    auth.login(trainee)
    page = client.get("/applications/").get_data(as_text=True)
    assert "Personal statement" not in page
    assert "Health screening" not in page
    assert "Licence document" not in page
    assert "Application submitted." in _submit(client)


def test_a_second_submission_is_refused(signed_in, enrollment):
    complete_application(enrollment)
    _submit(signed_in)
    db.session.expire_all()
    first = db.session.get(type(enrollment), enrollment.id).submitted_at
    response = post_form(signed_in, SUBMIT, follow_redirects=True)
    assert "Your application has been submitted" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(enrollment), enrollment.id).submitted_at == first


def test_status_cannot_be_posted_to_submit(signed_in, enrollment):
    complete_application(enrollment)
    post_form(signed_in, SUBMIT, {"status": "admitted", "decided_at": "2026-01-01"})
    db.session.refresh(enrollment)
    assert enrollment.status == "submitted" and enrollment.decided_at is None


def test_submit_needs_the_csrf_token(signed_in, enrollment):
    complete_application(enrollment)
    assert signed_in.post(SUBMIT).status_code == 400
    db.session.refresh(enrollment)
    assert enrollment.status == "applicant"


def test_after_submission_the_track_cannot_change(signed_in, enrollment):
    complete_application(enrollment)
    _submit(signed_in)
    program = enrollment.program
    data = {"track_id": program.tracks[0].id, "cohort_id": program.cohorts[0].id}
    response = post_form(signed_in, "/me/program", data, follow_redirects=True)
    assert "can no longer be changed" in response.get_data(as_text=True)
