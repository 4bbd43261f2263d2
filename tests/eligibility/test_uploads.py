"""Documents attached to licences and policies: PDF and PNG accepted, anything else refused,
oversize refused by the server, files served only to the owner and staff."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import login
from tests.conftest import post_form
from tests.eligibility.factories import PDF
from tests.eligibility.factories import PNG
from tests.eligibility.factories import SCRIPT
from tests.eligibility.factories import add_licence
from tests.eligibility.factories import iso
from tests.eligibility.factories import post_multipart_in_memory
from tests.eligibility.factories import upload
from tests.enrollments.factories import count
from tracker.documents.models import StoredFile
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.extensions import db

LICENCE = {"licence_type": "PsyD", "number": "PSY 9", "jurisdiction": "WA", "expires_on": iso(500)}
INSURANCE = {
    "carrier": "Carrier",
    "policy_number": "P-1",
    "starts_on": iso(-1),
    "ends_on": iso(300),
}


def _files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return list(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("body", "name", "content_type"),
    [(PDF, "licence.pdf", "application/pdf"), (PNG, "licence.png", "image/png")],
)
def test_a_pdf_or_png_is_attached_to_a_licence(signed_in, trainee, body, name, content_type):
    data = {**LICENCE, "document": upload(body, name)}
    assert post_form(signed_in, "/eligibility/licences/new", data).status_code == 302
    licence = db.session.query(Licence).one()
    stored = db.session.get(StoredFile, licence.document_id)
    assert stored.owner_id == trainee.id
    assert stored.content_type == content_type
    assert name in signed_in.get("/eligibility/").get_data(as_text=True)


def test_a_document_is_attached_to_a_policy(signed_in):
    data = {**INSURANCE, "document": upload(PDF, "certificate.pdf")}
    assert post_form(signed_in, "/eligibility/insurance/new", data).status_code == 302
    assert db.session.query(Insurance).one().document_id is not None


def test_a_script_renamed_pdf_is_refused(app, signed_in):
    data = {**LICENCE, "document": upload(SCRIPT, "licence.pdf")}
    response = post_form(signed_in, "/eligibility/licences/new", data)
    assert response.status_code == 200
    assert "Upload a PDF, PNG or JPEG file; this file is neither." in response.get_data(
        as_text=True
    )
    assert count(Licence) == 0
    assert count(StoredFile) == 0
    assert _files(app) == []


def test_a_30_mb_upload_keeps_the_rest_of_the_form_with_a_field_error(app, signed_in):
    body = PDF[:-6] + b"0" * (30 * 1024 * 1024) + b"%%EOF\n"
    data = {**LICENCE, "document": upload(body, "big.pdf")}
    response = post_multipart_in_memory(signed_in, "/eligibility/licences/new", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "files may be up to 10 MB" in html
    assert 'value="PSY 9"' in html and 'value="WA"' in html  # the other fields are kept
    assert count(Licence) == 0
    assert count(StoredFile) == 0
    assert _files(app) == []


def test_a_body_over_the_request_cap_gets_the_413_page_with_the_limits_in_words(
    make_app, create_user
):
    app = make_app(MAX_CONTENT_LENGTH=1024 * 1024)
    client = app.test_client()
    login(client, create_user("trainee"))
    body = PDF[:-6] + b"0" * (2 * 1024 * 1024) + b"%%EOF\n"
    data = {**LICENCE, "document": upload(body, "big.pdf")}
    response = post_multipart_in_memory(client, "/eligibility/licences/new", data)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Files may be up to 10 MB" in html
    assert 'href="/eligibility/licences/new"' in html  # back to the form


def test_a_refused_record_keeps_no_upload(app, signed_in):
    data = {**LICENCE, "number": "bad!", "document": upload(PDF, "licence.pdf")}
    assert post_form(signed_in, "/eligibility/licences/new", data).status_code == 200
    assert count(StoredFile) == 0
    assert _files(app) == []


def test_a_new_upload_on_edit_replaces_the_document(signed_in, trainee):
    licence = add_licence(trainee)
    data = {
        "licence_type": "LCSW",
        "number": "LCS-12345",
        "jurisdiction": "CA",
        "expires_on": iso(700),
        "document": upload(PNG, "scan.png"),
    }
    assert post_form(signed_in, f"/eligibility/licences/{licence.id}/edit", data).status_code == 302
    db.session.refresh(licence)
    first = licence.document_id
    assert first is not None
    data["document"] = upload(PDF, "scan2.pdf")
    post_form(signed_in, f"/eligibility/licences/{licence.id}/edit", data)
    db.session.refresh(licence)
    assert licence.document_id not in (None, first)
    # An edit without a file keeps the current document.
    data.pop("document")
    post_form(signed_in, f"/eligibility/licences/{licence.id}/edit", data)
    db.session.refresh(licence)
    assert licence.document_id is not None


def test_the_file_is_served_to_the_owner_and_staff_only(signed_in, other_client, staff_client):
    post_form(
        signed_in, "/eligibility/licences/new", {**LICENCE, "document": upload(PDF, "mine.pdf")}
    )
    file_id = db.session.query(Licence).one().document_id
    for client in (signed_in, staff_client):
        response = client.get(f"/files/{file_id}")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.data == PDF
        response.close()
    assert other_client.get(f"/files/{file_id}").status_code == 404
