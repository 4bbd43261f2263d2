"""Entries can be changed and deleted until they are verified; verified ones are read-only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.training.factories import add_didactic
from tests.training.factories import add_experiential
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import make_enrollment
from tests.training.factories import yesterday
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry

DIDACTIC = {"topic_code": "ethics", "hours": "4", "provider": "Ethics course", "note": "changed"}
EXPERIENTIAL = {"kind": "monitoring", "hours": "4", "facilitator": "Dr New", "note": "changed"}
KINDS = [
    ("didactic", add_didactic, DidacticEntry, DIDACTIC),
    ("experiential", add_experiential, ExperientialEntry, EXPERIENTIAL),
]


def form(data):
    return {**data, "on": iso(yesterday())}


@pytest.mark.parametrize(("kind", "add", "model", "data"), KINDS)
def test_edit_pending_entry(signed_in, enrollment, kind, add, model, data):
    entry = add(enrollment)
    page = signed_in.get(f"/training/{kind}/{entry.id}/edit").get_data(as_text=True)
    assert 'value="2.00"' in page
    response = post_form(signed_in, f"/training/{kind}/{entry.id}/edit", form(data))
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.hours == Decimal("4.00")
    assert entry.note == "changed"
    assert entry.status == "pending"
    assert f"{kind}.updated" in db.session.scalars(select(AuditEvent.action)).all()


@pytest.mark.parametrize(("kind", "add", "model", "data"), KINDS)
def test_edit_of_returned_entry_sends_it_back_to_pending(
    signed_in, enrollment, kind, add, model, data
):
    entry = add(enrollment, status="returned")
    page = signed_in.get(f"/training/{kind}/{entry.id}/edit").get_data(as_text=True)
    assert "returned with a question" in page
    assert post_form(signed_in, f"/training/{kind}/{entry.id}/edit", form(data)).status_code == 302
    db.session.refresh(entry)
    assert entry.status == "pending"


@pytest.mark.parametrize(("kind", "add", "model", "data"), KINDS)
def test_delete_pending_entry(signed_in, enrollment, kind, add, model, data):
    entry = add(enrollment)
    response = post_form(signed_in, f"/training/{kind}/{entry.id}/delete")
    assert response.status_code == 302
    assert count(model) == 0
    assert f"{kind}.deleted" in db.session.scalars(select(AuditEvent.action)).all()


@pytest.mark.parametrize(("kind", "add", "model", "data"), KINDS)
def test_verified_entry_cannot_be_edited(signed_in, enrollment, kind, add, model, data):
    entry = add(enrollment, status="verified")
    response = signed_in.get(f"/training/{kind}/{entry.id}/edit", follow_redirects=True)
    assert "verified and can no longer be changed" in response.get_data(as_text=True)
    response = post_form(
        signed_in, f"/training/{kind}/{entry.id}/edit", form(data), follow_redirects=True
    )
    assert "verified and can no longer be changed" in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.hours == Decimal("2.00")
    assert entry.note == ""
    assert entry.status == "verified"


@pytest.mark.parametrize(("kind", "add", "model", "data"), KINDS)
def test_verified_entry_cannot_be_deleted(signed_in, enrollment, kind, add, model, data):
    entry = add(enrollment, status="verified")
    response = post_form(signed_in, f"/training/{kind}/{entry.id}/delete", follow_redirects=True)
    assert "verified and can no longer be changed" in response.get_data(as_text=True)
    assert count(model) == 1


def test_verified_entry_shows_read_only_in_the_list(signed_in, enrollment):
    add_didactic(enrollment, status="verified")
    page = signed_in.get("/training/").get_data(as_text=True)
    assert "Read-only" in page
    assert "/edit" not in page.split("Your didactic entries")[1].split("</table>")[0]


def test_delete_without_csrf_token_refused(signed_in, enrollment):
    entry = add_didactic(enrollment)
    response = signed_in.post(f"/training/didactic/{entry.id}/delete")
    assert response.status_code == 400
    assert count(DidacticEntry) == 1


@pytest.mark.parametrize(("kind", "add", "model", "data"), KINDS)
def test_delete_asks_first(signed_in, enrollment, kind, add, model, data):
    entry = add(enrollment, hours="3.5")
    page = signed_in.get("/training/").get_data(as_text=True)
    assert f'href="/training/{kind}/{entry.id}/delete"' in page
    response = signed_in.get(f"/training/{kind}/{entry.id}/delete")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Delete this {kind} entry?" in page
    assert "3.5" in page and entry.on.isoformat() in page
    assert 'name="csrf_token"' in page
    assert count(model) == 1
    assert post_form(signed_in, f"/training/{kind}/{entry.id}/delete").status_code == 302
    assert count(model) == 0


def test_asking_to_delete_a_verified_entry_says_it_is_read_only(signed_in, enrollment):
    entry = add_didactic(enrollment, status="verified")
    response = signed_in.get(f"/training/didactic/{entry.id}/delete", follow_redirects=True)
    assert "verified and can no longer be changed" in response.get_data(as_text=True)
    assert count(DidacticEntry) == 1


def test_asking_to_delete_another_persons_entry_is_404(signed_in, create_user):
    other = make_enrollment(create_user("trainee"))
    entry = add_didactic(other)
    assert signed_in.get(f"/training/didactic/{entry.id}/delete").status_code == 404
    assert count(DidacticEntry) == 1
