"""Nothing changes after a signature, and nothing is signed unseen: the sign form carries each
entry's content hash as the page showed it, signing refuses an entry that hashes otherwise now,
and a trainee's change that comes after the signature is refused with a message and changes
nothing. (The race itself, with both requests at once, is in test_concurrency.py.)"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from tests.conftest import PASSWORD
from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_experiential
from tests.signoffs.factories import waiting_session
from tests.training.factories import REFLECTION
from tests.training.factories import count
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.signoffs import services as signoffs
from tracker.signoffs.binding import content_hash
from tracker.signoffs.binding import verify_binding
from tracker.signoffs.models import Signature
from tracker.supervision import services as supervision
from tracker.supervision.models import SupervisedSession
from tracker.training import services as training
from tracker.training.models import DidacticEntry
from tracker.training.models import ExperientialEntry

CHANGED = "It changed after your page showed it"
HOURS_FORMS = {
    "didactic": {"topic_code": "pharmacology", "provider": "Course A", "note": ""},
    "experiential": {"kind": "observation", "facilitator": "Dr Facilitator", "note": ""},
}
MODELS = {"didactic": DidacticEntry, "experiential": ExperientialEntry}
ADD = {"didactic": waiting_didactic, "experiential": waiting_experiential}


def _shown(page: str, key: str) -> str:
    """The content hash a page's sign form carries for the entry `key`."""
    match = re.search(rf'name="hash:{key}" value="([0-9a-f]{{64}})"', page)
    assert match, f"the page has no content hash for {key}"
    return match.group(1)


def _said(client, response) -> str:
    """The page the response redirects to, as the person then reads it."""
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _edit_hours(client, kind: str, entry_id: int, hours: str):
    data = {**HOURS_FORMS[kind], "on": iso(yesterday()), "hours": hours}
    return post_form(client, f"/training/{kind}/{entry_id}/edit", data)


def _changed_after_signing() -> list[str]:
    """Changes of an entry that the trail records after that entry's `signature.signed`."""
    signed: dict[tuple[str, str], int] = {}
    late = []
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.action == "signature.signed":
            after = json.loads(event.after)
            table = {"session": "supervised_sessions"}.get(after["entry_type"])
            table = table or f"{after['entry_type']}_entries"
            signed[(table, str(after["entry_id"]))] = event.id
        elif (event.object_type, event.object_id) in signed:
            late.append(event.action)
    return late


# -- signing what the page showed -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["didactic", "experiential"])
def test_an_entry_changed_after_the_page_was_shown_is_not_signed(
    as_user, trainee, enrollment, supervisor, kind
):
    entry = ADD[kind](enrollment, hours="0.25")
    key = f"{kind}:{entry.id}"
    signer = as_user(supervisor)
    shown = _shown(signer.get(f"/signoffs/{kind}/{entry.id}").get_data(as_text=True), key)
    assert _edit_hours(as_user(trainee), kind, entry.id, "12").status_code == 302

    response = post_form(
        signer, "/signoffs/sign", {"selected": key, f"hash:{key}": shown, "password": PASSWORD}
    )
    page = _said(signer, response)
    assert "Nothing was signed" in page
    assert f"{CHANGED} (the trainee edited it meanwhile)" in page
    assert count(Signature) == 0
    entry = db.session.get(MODELS[kind], entry.id, populate_existing=True)
    assert (entry.hours, entry.status) == (Decimal("12.00"), "pending")

    # Looked at again, the entry as it now is can be signed.
    shown = _shown(signer.get(f"/signoffs/{kind}/{entry.id}").get_data(as_text=True), key)
    assert "12 h" in signer.get("/signoffs/").get_data(as_text=True)
    response = post_form(
        signer, "/signoffs/sign", {"selected": key, f"hash:{key}": shown, "password": PASSWORD}
    )
    assert "Signed 1 entry." in _said(signer, response)
    signature = db.session.scalar(select(Signature))
    db.session.refresh(entry)
    # What was signed is the entry as the page showed it, bound to the signature with the key.
    assert content_hash(entry) == shown
    assert verify_binding(signature, entry)


def test_a_batch_with_one_changed_entry_signs_nothing_and_names_it(
    as_user, trainee, enrollment, supervisor
):
    session = waiting_session(enrollment, supervisor)
    hours = waiting_didactic(enrollment, hours="0.25")
    keys = [f"session:{session.id}", f"didactic:{hours.id}"]
    signer = as_user(supervisor)
    queue = signer.get("/signoffs/").get_data(as_text=True)
    shown = {f"hash:{key}": _shown(queue, key) for key in keys}
    assert _edit_hours(as_user(trainee), "didactic", hours.id, "12").status_code == 302

    response = post_form(
        signer, "/signoffs/sign", {"selected": keys, **shown, "password": PASSWORD}
    )
    page = _said(signer, response)
    assert "Nothing was signed: 1 of the selected entries cannot be signed now." in page
    assert f"Didactic hours of {iso(yesterday())} (Tara Trainee): {CHANGED}" in page
    assert f"Session of {iso(yesterday())} (Tara Trainee): {CHANGED}" not in page
    assert count(Signature) == 0
    db.session.expire_all()
    assert db.session.get(SupervisedSession, session.id).status == "submitted"
    assert db.session.get(DidacticEntry, hours.id).status == "pending"


def test_a_sign_form_without_the_shown_content_signs_nothing(as_user, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    signer = as_user(supervisor)
    response = post_form(
        signer, "/signoffs/sign", {"selected": f"session:{session.id}", "password": PASSWORD}
    )
    assert "The form did not say what your page showed of it." in _said(signer, response)
    assert count(Signature) == 0


def test_the_pages_carry_the_hash_of_what_they_show(as_user, enrollment, supervisor, staff):
    session = waiting_session(enrollment, supervisor)
    hours = waiting_didactic(enrollment)
    key = f"session:{session.id}"
    entry_page = as_user(supervisor).get(f"/signoffs/session/{session.id}").get_data(as_text=True)
    assert _shown(entry_page, key) == content_hash(session)
    queue = as_user(supervisor).get("/signoffs/").get_data(as_text=True)
    assert _shown(queue, key) == content_hash(session)
    verification = as_user(staff).get("/signoffs/verification").get_data(as_text=True)
    assert _shown(verification, f"didactic:{hours.id}") == content_hash(hours)


# -- no change after the signature ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["didactic", "experiential"])
def test_an_edit_or_delete_after_the_signature_is_refused(
    as_user, trainee, enrollment, supervisor, kind
):
    entry = ADD[kind](enrollment, hours="0.25")
    owner = as_user(trainee)
    # The trainee opened the edit page before the supervisor signed.
    assert owner.get(f"/training/{kind}/{entry.id}/edit").status_code == 200
    post_form(as_user(supervisor), "/signoffs/sign", sign_form(f"{kind}:{entry.id}"))
    assert count(Signature) == 1

    page = _said(owner, _edit_hours(owner, kind, entry.id, "12"))
    assert "verified and can no longer be changed" in page
    page = _said(owner, post_form(owner, f"/training/{kind}/{entry.id}/delete"))
    assert "verified and can no longer be changed" in page
    entry = db.session.get(MODELS[kind], entry.id, populate_existing=True)
    assert (entry.hours, entry.status) == (Decimal("0.25"), "verified")
    assert _changed_after_signing() == []


def test_a_session_edit_withdrawal_or_delete_after_the_signature_is_refused(
    as_user, trainee, enrollment, supervisor
):
    session = waiting_session(enrollment, supervisor)
    owner = as_user(trainee)
    assert owner.get(f"/supervision/sessions/{session.id}").status_code == 200
    post_form(as_user(supervisor), "/signoffs/sign", sign_form(f"session:{session.id}"))
    assert count(Signature) == 1

    data = {
        "on": iso(yesterday()),
        "client_code": "KC-7RB234",
        "setting": "hospital",
        "route": "iv",
        "trainee_role": "observer",
        "supervision_mode": "live",
        "covers_dosing": "y",
        "duration_minutes": "60",
        "reflection": REFLECTION + " Edited after signing.",
    }
    url = f"/supervision/sessions/{session.id}"
    assert "cannot be changed now" in _said(owner, post_form(owner, f"{url}/edit", data))
    page = _said(owner, post_form(owner, f"{url}/withdraw"))
    assert "Only a submitted session that is not signed can be withdrawn." in page
    assert "Only a draft session can be deleted." in _said(owner, post_form(owner, f"{url}/delete"))
    session = db.session.get(SupervisedSession, session.id, populate_existing=True)
    assert (session.status, session.client_code) == ("signed", "KC-7QX4M2")
    assert _changed_after_signing() == []


# -- a change that read the entry before the signature committed ---------------------------------
#
# The request read the entry while it was waiting; the signature committed before the change
# reached the database. The service holds the row and checks it again, so the change is refused
# with "meanwhile" and nothing is written.


def _read_before_signing(entry, status: str):
    """The entry as a request that read it before the signature holds it in memory."""
    set_committed_value(entry, "status", status)
    return entry


@pytest.mark.parametrize("kind", ["didactic", "experiential"])
def test_a_change_that_read_the_entry_before_the_signature_is_refused(
    trainee, enrollment, supervisor, kind
):
    entry = ADD[kind](enrollment, hours="0.25")
    signoffs.sign([entry], supervisor, PASSWORD)
    db.session.commit()
    data = {
        "didactic": training.DidacticInput(yesterday(), "pharmacology", "12", "Course A"),
        "experiential": training.ExperientialInput(
            "observation", yesterday(), "12", "Dr Facilitator"
        ),
    }[kind]
    update = {"didactic": training.update_didactic, "experiential": training.update_experiential}
    delete = {"didactic": training.delete_didactic, "experiential": training.delete_experiential}
    with pytest.raises(training.ReadOnly, match="was verified meanwhile"):
        update[kind](_read_before_signing(entry, "pending"), data)
    db.session.rollback()
    with pytest.raises(training.ReadOnly, match="was verified meanwhile"):
        delete[kind](_read_before_signing(entry, "pending"))
    db.session.rollback()
    entry = db.session.get(MODELS[kind], entry.id, populate_existing=True)
    assert (entry.hours, entry.status) == (Decimal("0.25"), "verified")
    assert _changed_after_signing() == []


def test_a_withdrawal_that_read_the_session_before_the_signature_is_refused(enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    signoffs.sign([session], supervisor, PASSWORD)
    db.session.commit()
    with pytest.raises(supervision.ReadOnly, match=r"changed meanwhile \(it is now signed off\)"):
        supervision.withdraw_session(_read_before_signing(session, "submitted"))
    db.session.rollback()
    session = db.session.get(SupervisedSession, session.id, populate_existing=True)
    assert session.status == "signed"
    assert _changed_after_signing() == []
