"""A file no record refers to any more is removed: replaced by a new one on a licence, a policy
or a CE record, or gone with its record. Its row goes at once (audited), its bytes only after the
commit: a request that rolls back keeps both."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import login
from tests.conftest import post_form
from tests.documents.conftest import on_disk
from tests.eligibility.factories import add_licence
from tests.eligibility.factories import day
from tests.eligibility.factories import iso as days_from_today
from tests.enrollments.factories import enroll
from tests.security.conftest import Boom
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.audit.models import AuditEvent
from tracker.documents.models import StoredFile
from tracker.eligibility import services as eligibility
from tracker.eligibility.models import Insurance
from tracker.eligibility.models import Licence
from tracker.extensions import db
from tracker.factories import committing
from tracker.factories import count
from tracker.factories.documents import PDF
from tracker.factories.documents import uploaded_pdf
from tracker.security.access import SignedIn
from tracker.security.access import allow
from tracker.training.continuing_education import Upload
from tracker.training.models import ContinuingEducation

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@dataclass(frozen=True)
class RecordType:
    """A kind of record with a file: where it is added, its form and its file field."""

    name: str
    model: type
    url: str
    form: dict
    file_field: str
    file_column: str


RECORD_TYPES = [
    RecordType(
        "licence",
        Licence,
        "/eligibility/licences",
        {
            "licence_type": "PsyD",
            "number": "PSY 9",
            "jurisdiction": "WA",
            "expires_on": days_from_today(500),
        },
        "document",
        "document_id",
    ),
    RecordType(
        "insurance",
        Insurance,
        "/eligibility/insurance",
        {
            "carrier": "Carrier",
            "policy_number": "P-1",
            "starts_on": days_from_today(-1),
            "ends_on": days_from_today(300),
        },
        "document",
        "document_id",
    ),
    RecordType(
        "ce",
        ContinuingEducation,
        "/training/ce",
        {
            "kind": "ce",
            "on": iso(yesterday()),
            "title": "Ketamine pharmacology update",
            "provider": "Society for Psychedelic Medicine",
            "amount": "3.5",
        },
        "certificate",
        "file_id",
    ),
]


def _add(client, kind: RecordType, body: bytes = PDF):
    data = {**kind.form, kind.file_field: (io.BytesIO(body), "first.pdf")}
    assert post_form(client, f"{kind.url}/new", data).status_code == 302
    record = db.session.scalars(select(kind.model)).one()
    stored = db.session.get(StoredFile, getattr(record, kind.file_column))
    return record, stored


def _file_deleted_events(stored_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "file.deleted", AuditEvent.object_id == str(stored_id)
            )
        )
    )


@pytest.mark.parametrize("kind", RECORD_TYPES, ids=lambda k: k.name)
def test_a_replaced_file_is_removed_from_disk_and_its_removal_audited(
    signed_in, trainee, folder, kind
):
    record, old = _add(signed_in, kind)
    old_id, old_name, old_sha = old.id, old.storage_name, old.sha256
    assert on_disk(folder) == {old_name}

    data = {**kind.form, kind.file_field: (io.BytesIO(PNG), "second.png")}
    assert post_form(signed_in, f"{kind.url}/{record.id}/edit", data).status_code == 302

    db.session.expire_all()
    new = db.session.get(StoredFile, getattr(record, kind.file_column))
    assert new.id != old_id
    assert db.session.get(StoredFile, old_id) is None
    assert on_disk(folder) == {new.storage_name}
    (event,) = _file_deleted_events(old_id)
    assert event.subject_user_id == trainee.id
    assert json.loads(event.before)["sha256"] == old_sha


@pytest.mark.parametrize("kind", RECORD_TYPES, ids=lambda k: k.name)
def test_deleting_a_record_removes_its_file(signed_in, folder, kind):
    record, stored = _add(signed_in, kind)
    stored_id = stored.id
    assert post_form(signed_in, f"{kind.url}/{record.id}/delete").status_code == 302
    assert count(kind.model) == 0
    assert count(StoredFile) == 0
    assert on_disk(folder) == set()
    assert len(_file_deleted_events(stored_id)) == 1


@pytest.mark.parametrize("kind", RECORD_TYPES, ids=lambda k: k.name)
def test_an_edit_without_a_new_file_keeps_the_file(signed_in, folder, kind):
    record, stored = _add(signed_in, kind)
    assert post_form(signed_in, f"{kind.url}/{record.id}/edit", kind.form).status_code == 302
    assert on_disk(folder) == {stored.storage_name}
    assert count(StoredFile) == 1


def test_a_file_another_record_still_refers_to_is_kept(app, trainee, folder):
    shared = uploaded_pdf(trainee, "shared.pdf")
    first = add_licence(trainee, number="PSY-1", document_id=shared.id)
    add_licence(trainee, number="PSY-2", document_id=shared.id)
    eligibility.delete_licence(first)
    db.session.commit()
    assert db.session.get(StoredFile, shared.id) is not None
    assert on_disk(folder) == {shared.storage_name}


def _replace_scan(licence: Licence, trainee) -> None:
    """Give the licence a new scan through the service (no commit)."""
    data = eligibility.LicenceInput(
        licence.licence_type, licence.number, licence.jurisdiction, licence.expires_on
    )
    upload = Upload(io.BytesIO(PNG), "new.png")
    eligibility.update_licence(licence, trainee, data, upload, day(0))


def test_the_old_file_is_removed_only_after_the_commit(app, trainee, folder):
    old = committing(uploaded_pdf)(trainee, "old.pdf")
    licence = add_licence(trainee, document_id=old.id)
    old_path = folder / old.storage_name
    _replace_scan(licence, trainee)
    # The row is gone within the transaction; the bytes wait for the commit.
    assert db.session.get(StoredFile, old.id) is None
    assert old_path.exists()
    db.session.commit()
    assert not old_path.exists()


def test_a_rollback_keeps_the_old_file_and_drops_the_new_one(app, trainee, folder):
    old = committing(uploaded_pdf)(trainee, "old.pdf")
    licence = add_licence(trainee, document_id=old.id)
    old_id, old_name = old.id, old.storage_name
    _replace_scan(licence, trainee)
    db.session.rollback()
    assert db.session.get(StoredFile, old_id) is not None
    assert db.session.get(Licence, licence.id).document_id == old_id
    assert sorted(p.name for p in folder.iterdir()) == [old_name]
    assert _file_deleted_events(old_id) == []


def test_a_request_that_fails_after_the_replacement_keeps_the_old_file(make_app, app, trainee):
    old = committing(uploaded_pdf)(trainee, "old.pdf")
    licence = add_licence(trainee, document_id=old.id)
    licence_id, old_id, old_name = licence.id, old.id, old.storage_name
    db.session.rollback()  # the test's own session holds nothing while the other app writes
    other = make_app(UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"])
    replaced: list[int | None] = []

    @other.post("/replace-then-fail")
    @allow(SignedIn)
    def replace_then_fail():
        licence = db.session.get(Licence, licence_id)
        _replace_scan(licence, db.session.merge(trainee))
        replaced.append(db.session.get(StoredFile, old_id))  # None: its row is deleted
        raise Boom("after the replacement")

    client = other.test_client()
    login(client, trainee)
    response = client.post("/replace-then-fail", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 500
    assert replaced == [None]
    assert db.session.get(StoredFile, old_id) is not None
    assert sorted(p.name for p in Path(app.config["UPLOAD_FOLDER"]).iterdir()) == [old_name]


def test_a_superseded_application_document_keeps_its_file(client, auth, create_user, folder):
    applicant = create_user("trainee")
    enroll(applicant)
    auth.login(applicant)
    for name in ("first.pdf", "second.pdf"):
        data = {"document": (io.BytesIO(PDF), name)}
        assert post_form(client, "/applications/documents/cv", data).status_code == 302
    # The replaced CV stays on its superseded row, which staff review history refers to.
    assert count(StoredFile) == 2
    assert len(on_disk(folder)) == 2
