"""Staff accept or reject each current application document; a rejection needs a note, which the
trainee then reads. Forged ids give 404 and change nothing."""

from __future__ import annotations

import pytest

from tests.admissions.factories import add_document
from tests.admissions.factories import enroll
from tests.admissions.factories import fresh
from tests.admissions.factories import make_program
from tests.admissions.factories import review_url
from tests.admissions.factories import snapshot
from tests.conftest import login
from tests.conftest import post_form
from tracker.extensions import db


def _review(client, enrollment, doc, decision: str, note: str = "", **kwargs):
    return post_form(
        client,
        review_url(enrollment, f"/documents/{doc.id}"),
        {f"doc{doc.id}-decision": decision, f"doc{doc.id}-note": note},
        **kwargs,
    )


def test_accepting_a_document_records_who_and_when(as_staff, submitted, staff):
    doc = add_document(submitted, "cv")
    response = _review(as_staff, submitted, doc, "accepted", follow_redirects=True)
    assert "Curriculum vitae: accepted." in response.get_data(as_text=True)
    doc = fresh(doc)
    assert doc.status == "accepted"
    assert doc.reviewed_by_id == staff.id
    assert doc.reviewed_at is not None


def test_rejecting_needs_a_note_the_trainee_then_reads(app, as_staff, submitted, trainee):
    doc = add_document(submitted, "personal_statement")
    before = snapshot()
    response = _review(as_staff, submitted, doc, "rejected", "")
    assert "Write the note for the trainee" in response.get_data(as_text=True)
    assert snapshot() == before

    note = "The statement is cut off after page one; please upload the whole file."
    assert _review(as_staff, submitted, doc, "rejected", note).status_code == 303
    doc = fresh(doc)
    assert (doc.status, doc.review_note) == ("rejected", note)

    trainee_client = app.test_client()
    login(trainee_client, trainee)
    page = trainee_client.get("/applications/").get_data(as_text=True)
    assert "The statement is cut off after page one" in page


def test_a_decision_is_not_repeated_but_can_be_changed(as_staff, submitted):
    doc = add_document(submitted, "cv")
    _review(as_staff, submitted, doc, "accepted")
    before = snapshot()
    response = _review(as_staff, submitted, doc, "accepted")
    assert "already accepted" in response.get_data(as_text=True)
    assert snapshot() == before
    _review(as_staff, submitted, doc, "rejected", "Please send the current version of the CV.")
    assert fresh(doc).status == "rejected"


@pytest.mark.parametrize("decision", ["", "approved", "submitted"])
def test_an_unknown_decision_is_refused(as_staff, submitted, decision):
    doc = add_document(submitted, "cv")
    before = snapshot()
    response = _review(as_staff, submitted, doc, decision, "A note that is long enough.")
    assert "Choose to accept or to reject the document." in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_replaced_document_cannot_be_reviewed(as_staff, submitted):
    doc = add_document(submitted, "cv")
    doc.superseded_at = db.func.now()
    db.session.commit()
    before = snapshot()
    response = _review(as_staff, submitted, doc, "accepted", follow_redirects=True)
    assert "replaced by a newer upload" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_document_of_another_enrollment_is_not_found(as_staff, submitted, create_user):
    other = enroll(create_user("trainee"), make_program())
    foreign = add_document(other, "cv")
    before = snapshot()
    response = post_form(
        as_staff,
        review_url(submitted, f"/documents/{foreign.id}"),
        {f"doc{foreign.id}-decision": "accepted"},
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_the_page_lists_documents_with_their_review_forms(as_staff, submitted):
    doc = add_document(submitted, "cv")
    page = as_staff.get(review_url(submitted)).get_data(as_text=True)
    assert "Curriculum vitae" in page
    assert "Waiting for review" in page
    assert f'action="/admissions/enrollments/{submitted.id}/documents/{doc.id}"' in page
