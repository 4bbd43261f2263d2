"""Each person's files are bounded: an upload that would take them past UPLOAD_QUOTA_BYTES is
refused with what is used and what is left, and nothing of it is kept. Only files a record still
refers to count, so deleting or replacing a record frees its room."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config import Config
from tests.conftest import post_form
from tests.documents.conftest import on_disk
from tests.eligibility.factories import add_licence
from tests.eligibility.factories import iso
from tests.eligibility.factories import post_multipart_in_memory
from tests.eligibility.factories import upload
from tracker.audit.models import AuditEvent
from tracker.documents.models import StoredFile
from tracker.documents.storage import used_bytes
from tracker.eligibility.models import Licence
from tracker.extensions import db
from tracker.factories import count
from tracker.factories.documents import pdf_of_size
from tracker.factories.documents import stored_file
from tracker.factories.documents import uploaded_pdf

MB = 1024 * 1024


def licence(number: str, size: int) -> dict:
    """A licence form with a scan of `size` bytes."""
    return {
        "licence_type": "PsyD",
        "number": number,
        "jurisdiction": "WA",
        "expires_on": iso(500),
        "document": upload(pdf_of_size(size), f"{number}.pdf"),
    }


def test_the_default_quota_is_200_mb():
    assert Config.UPLOAD_QUOTA_BYTES == 200 * MB


def test_an_upload_past_the_quota_is_refused_with_what_is_used_and_left(app, signed_in, folder):
    app.config["UPLOAD_QUOTA_BYTES"] = 5 * MB
    url = "/eligibility/licences/new"
    assert post_multipart_in_memory(signed_in, url, licence("PSY-1", 3 * MB)).status_code == 302
    stored_before = on_disk(folder)
    uploads_before = count(AuditEvent)

    response = post_multipart_in_memory(signed_in, url, licence("PSY-2", 3 * MB))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This file (3 MB) does not fit in the 5 MB of files each person may keep" in page
    assert "3 MB is used and 2 MB is left" in page
    assert count(Licence) == 1
    assert count(StoredFile) == 1
    assert count(AuditEvent) == uploads_before
    assert on_disk(folder) == stored_before
    assert on_disk(folder, ".part") == set()


def test_a_file_that_fits_exactly_is_accepted(app, signed_in):
    app.config["UPLOAD_QUOTA_BYTES"] = 4 * MB
    url = "/eligibility/licences/new"
    assert post_multipart_in_memory(signed_in, url, licence("PSY-1", 3 * MB)).status_code == 302
    assert post_multipart_in_memory(signed_in, url, licence("PSY-2", MB)).status_code == 302
    assert count(Licence) == 2


def test_deleting_a_record_frees_its_room(app, signed_in):
    app.config["UPLOAD_QUOTA_BYTES"] = 5 * MB
    url = "/eligibility/licences/new"
    assert post_multipart_in_memory(signed_in, url, licence("PSY-1", 3 * MB)).status_code == 302
    first = db.session.scalars(select(Licence)).one()
    assert post_form(signed_in, f"/eligibility/licences/{first.id}/delete").status_code == 302
    assert post_multipart_in_memory(signed_in, url, licence("PSY-2", 3 * MB)).status_code == 302
    assert count(Licence) == 1


def test_the_quota_is_each_persons_own(app, signed_in, create_user, folder):
    app.config["UPLOAD_QUOTA_BYTES"] = 5 * MB
    other = create_user("trainee")
    add_licence(other, document_id=uploaded_pdf(other, "other.pdf", size=4 * MB).id)
    assert used_bytes(other.id) == 4 * MB
    url = "/eligibility/licences/new"
    assert post_multipart_in_memory(signed_in, url, licence("PSY-1", 4 * MB)).status_code == 302


@pytest.mark.parametrize("referred", [True, False])
def test_only_files_a_record_refers_to_count(app, trainee, referred):
    stored = stored_file(trainee)  # a row of 10 bytes
    if referred:
        add_licence(trainee, document_id=stored.id)
    assert used_bytes(trainee.id) == (10 if referred else 0)
