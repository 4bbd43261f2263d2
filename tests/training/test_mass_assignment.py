"""Fields a trainee may not set (status, verification) are ignored when posted."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry

FORBIDDEN = {
    "status": "verified",
    "verified_at": "2026-01-01T00:00:00+00:00",
    "verified_by_id": "1",
    "enrollment_id": "999",
    "id": "12345",
}


def test_new_didactic_ignores_status_and_verification(signed_in, enrollment, trainee):
    data = {
        "on": iso(yesterday()),
        "topic_code": "legal",
        "hours": "2",
        "provider": "P",
        **FORBIDDEN,
        "verified_by_id": str(trainee.id),
    }
    assert post_form(signed_in, "/training/didactic/new", data).status_code == 302
    entry = db.session.scalars(select(DidacticEntry)).one()
    assert entry.status == "pending"
    assert entry.verified_at is None and entry.verified_by_id is None
    assert entry.enrollment_id == enrollment.id
    assert entry.id != 12345


def test_new_experiential_ignores_status(signed_in, enrollment):
    data = {
        "on": iso(yesterday()),
        "kind": "role_play",
        "hours": "2",
        "facilitator": "F",
        **FORBIDDEN,
    }
    assert post_form(signed_in, "/training/experiential/new", data).status_code == 302
    entry = db.session.scalars(select(ExperientialEntry)).one()
    assert entry.status == "pending"
    assert entry.verified_at is None and entry.verified_by_id is None


def test_edit_cannot_verify(signed_in, enrollment):
    entry = add_didactic(enrollment)
    data = {"on": iso(yesterday()), "topic_code": "legal", "hours": "2", "provider": "P"}
    post_form(signed_in, f"/training/didactic/{entry.id}/edit", {**data, **FORBIDDEN})
    db.session.refresh(entry)
    assert entry.status == "pending"
    assert entry.verified_at is None and entry.verified_by_id is None
    assert entry.enrollment_id == enrollment.id


def test_edit_of_returned_entry_cannot_verify(signed_in, enrollment):
    entry = add_experiential(enrollment, status="returned")
    data = {"on": iso(yesterday()), "kind": "role_play", "hours": "2", "facilitator": "F"}
    post_form(signed_in, f"/training/experiential/{entry.id}/edit", {**data, **FORBIDDEN})
    db.session.refresh(entry)
    assert entry.status == "pending"
    assert entry.verified_by_id is None
