"""Application documents: upload, replacement rules, refusals, and who may download them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.applications.conftest import submitted
from tests.applications.factories import add_document
from tests.conftest import post_form
from tests.eligibility.factories import PDF
from tests.eligibility.factories import PNG
from tests.eligibility.factories import SCRIPT
from tests.eligibility.factories import post_multipart_in_memory
from tests.eligibility.factories import upload
from tests.enrollments.factories import count
from tracker.applications.models import ApplicationDocument
from tracker.documents.models import StoredFile
from tracker.extensions import db

CV = "/applications/documents/cv"


def _current(enrollment, kind="cv"):
    db.session.expire_all()
    return db.session.scalars(
        select(ApplicationDocument).where(
            ApplicationDocument.enrollment_id == enrollment.id,
            ApplicationDocument.kind == kind,
            ApplicationDocument.superseded_at.is_(None),
        )
    ).one_or_none()


@pytest.mark.parametrize(
    ("url", "body", "name"),
    [(CV, PDF, "cv.pdf"), ("/applications/documents/personal_statement", PNG, "statement.png")],
)
def test_a_pdf_or_png_is_uploaded(signed_in, trainee, enrollment, url, body, name):
    response = post_form(signed_in, url, {"document": upload(body, name)})
    assert response.status_code == 302
    doc = db.session.scalars(select(ApplicationDocument)).one()
    assert doc.enrollment_id == enrollment.id
    assert doc.status == "submitted" and doc.submitted_at is not None
    assert doc.reviewed_at is None and doc.reviewed_by_id is None
    assert db.session.get(StoredFile, doc.file_id).owner_id == trainee.id
    page = signed_in.get("/applications/").get_data(as_text=True)
    assert name in page and "Waiting for review" in page


def test_a_script_renamed_pdf_is_refused(app, signed_in):
    response = post_form(signed_in, CV, {"document": upload(SCRIPT, "cv.pdf")})
    assert response.status_code == 200
    assert "Upload a PDF, PNG or JPEG file; this file is neither." in response.get_data(
        as_text=True
    )
    assert count(ApplicationDocument) == 0 and count(StoredFile) == 0


def test_no_file_is_refused(signed_in):
    response = post_form(signed_in, CV, {})
    assert "Choose a file to upload." in response.get_data(as_text=True)
    assert count(ApplicationDocument) == 0


def test_an_upload_over_10_mb_is_refused_with_a_message_and_nothing_written(app, signed_in):
    body = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024) + b"%%EOF\n"
    response = post_multipart_in_memory(signed_in, CV, {"document": upload(body, "big.pdf")})
    assert response.status_code == 200
    assert "files may be up to 10 MB" in response.get_data(as_text=True)
    assert count(ApplicationDocument) == 0 and count(StoredFile) == 0
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not any(folder.iterdir())


def test_a_file_just_over_10_mb_within_the_request_limit_is_refused_with_a_message(signed_in):
    body = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"%%EOF\n"
    response = post_multipart_in_memory(signed_in, CV, {"document": upload(body, "big.pdf")})
    assert response.status_code == 200
    assert "The file is larger than 10 MB: files may be up to 10 MB." in response.get_data(
        as_text=True
    )
    assert count(ApplicationDocument) == 0 and count(StoredFile) == 0


def test_an_unknown_kind_is_not_found(signed_in):
    assert signed_in.get("/applications/documents/licence").status_code == 404
    assert post_form(signed_in, "/applications/documents/passport", {}).status_code == 404


def test_a_new_upload_supersedes_the_one_not_yet_reviewed(signed_in, enrollment):
    post_form(signed_in, CV, {"document": upload(PDF, "first.pdf")})
    first = _current(enrollment)
    post_form(signed_in, CV, {"document": upload(PNG, "second.png")})
    second = _current(enrollment)
    assert second.id != first.id
    db.session.refresh(first)
    assert first.superseded_at is not None
    assert count(ApplicationDocument) == 2


def test_an_accepted_document_is_read_only(signed_in, enrollment):
    doc = add_document(enrollment, "cv", status="accepted")
    page = signed_in.get(CV).get_data(as_text=True)
    assert "can no longer be replaced" in page
    response = post_form(signed_in, CV, {"document": upload(PDF, "new.pdf")}, follow_redirects=True)
    assert "was accepted and can no longer be replaced" in response.get_data(as_text=True)
    assert _current(enrollment).id == doc.id
    assert count(StoredFile) == 1


def test_after_submission_only_a_rejected_document_can_be_replaced(signed_in, enrollment):
    waiting = add_document(enrollment, "cv")
    rejected = add_document(enrollment, "personal_statement", status="rejected", note="Unsigned")
    submitted(enrollment)
    response = post_form(signed_in, CV, {"document": upload(PDF, "new.pdf")}, follow_redirects=True)
    assert "can be replaced only when program staff reject it" in response.get_data(as_text=True)
    assert _current(enrollment).id == waiting.id

    page = signed_in.get("/applications/").get_data(as_text=True)
    assert "Rejected: Unsigned" in page
    url = "/applications/documents/personal_statement"
    assert post_form(signed_in, url, {"document": upload(PDF, "signed.pdf")}).status_code == 302
    current = _current(enrollment, "personal_statement")
    assert current.id != rejected.id and current.status == "submitted"
    db.session.refresh(rejected)
    assert rejected.status == "rejected" and rejected.superseded_at is not None


def test_review_fields_cannot_be_posted(signed_in, enrollment):
    data = {
        "document": upload(PDF, "cv.pdf"),
        "status": "accepted",
        "review_note": "fine",
        "reviewed_by_id": "1",
        "reviewed_at": "2026-01-01T00:00:00+00:00",
        "kind": "personal_statement",
        "enrollment_id": "999",
    }
    assert post_form(signed_in, CV, data).status_code == 302
    doc = db.session.scalars(select(ApplicationDocument)).one()
    assert (doc.status, doc.review_note, doc.reviewed_by_id, doc.reviewed_at) == (
        "submitted",
        "",
        None,
        None,
    )
    assert (doc.kind, doc.enrollment_id) == ("cv", enrollment.id)


def test_the_file_is_served_to_the_owner_and_staff_only(signed_in, other_client, staff_client):
    post_form(signed_in, CV, {"document": upload(PDF, "cv.pdf")})
    file_id = db.session.scalars(select(ApplicationDocument)).one().file_id
    for client in (signed_in, staff_client):
        response = client.get(f"/files/{file_id}")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()
    assert other_client.get(f"/files/{file_id}").status_code == 404


def test_without_a_program_choice_the_trainee_is_sent_to_choose(app, create_user):
    from tests.conftest import login

    lone = create_user("trainee")
    client = app.test_client()
    login(client, lone)
    response = client.get(CV)
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/program")
    assert "Choose a program track and cohort first" in client.get("/applications/").get_data(
        as_text=True
    )
