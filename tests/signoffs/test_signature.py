"""The signature: who, printed name, UTC time and meaning stored and shown wherever the record
is; an HMAC of the canonical content with the audit key binds it; a signed record is read-only."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import zipfile

from sqlalchemy import select
from sqlalchemy import text

from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_didactic
from tests.signoffs.factories import waiting_experiential
from tests.signoffs.factories import waiting_session
from tests.training.factories import REFLECTION
from tests.training.factories import iso
from tests.training.factories import yesterday
from tracker.extensions import db
from tracker.signoffs.binding import canonical_json
from tracker.signoffs.binding import content_hash
from tracker.signoffs.binding import verify_binding
from tracker.signoffs.models import SESSION_MEANING
from tracker.signoffs.models import VERIFICATION_MEANING
from tracker.signoffs.models import Signature
from tracker.supervision.models import SupervisedSession


def _sign(client, key):
    return post_form(client, "/signoffs/sign", sign_form(key))


def test_signature_stores_signer_name_time_meaning_and_hash(as_user, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    _sign(as_user(supervisor), f"session:{session.id}")
    db.session.expire_all()
    signature = db.session.scalar(select(Signature))
    session = db.session.get(SupervisedSession, session.id)
    assert signature.signer_id == supervisor.id
    assert signature.printed_name == "Dr. Sue Signer"
    assert signature.meaning == SESSION_MEANING
    assert signature.signed_at.tzinfo is not None
    assert signature.signed_at == session.signed_at
    assert signature.enrollment_id == enrollment.id
    message = b"signature-binding\x00" + canonical_json(session).encode()
    expected = hmac.new(b"testing-audit-key", message, hashlib.sha256).hexdigest()
    assert signature.key_id == "test"
    assert signature.content_hash == expected
    assert signature.content_hash != content_hash(session)  # keyed, not the plain digest
    assert verify_binding(signature, session)


def test_canonical_content_leaves_out_status_and_times(enrollment):
    session = waiting_session(enrollment)
    before = content_hash(session)
    session.status = "signed"
    session.submitted_at = None
    assert content_hash(session) == before
    session.reflection = REFLECTION + " Changed."
    assert content_hash(session) != before
    content = json.loads(canonical_json(session))
    assert "status" not in content and "submitted_at" not in content


def test_hours_entries_hash_their_own_fields(enrollment):
    didactic = waiting_didactic(enrollment, hours="1.5")
    experiential = waiting_experiential(enrollment)
    assert json.loads(canonical_json(didactic))["hours"] == "1.50"
    assert content_hash(didactic) != content_hash(experiential)


def test_signed_session_page_shows_name_utc_time_and_meaning(
    as_user, trainee, enrollment, supervisor
):
    session = waiting_session(enrollment, supervisor)
    _sign(as_user(supervisor), f"session:{session.id}")
    signature = db.session.scalar(select(Signature))
    stamp = signature.signed_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    page = as_user(trainee).get(f"/supervision/sessions/{session.id}").get_data(as_text=True)
    assert "Signed</strong> by Dr. Sue Signer" in page
    assert stamp in page
    assert SESSION_MEANING in page
    assert "Binding: intact" in page
    reviewer_page = as_user(supervisor).get(f"/signoffs/session/{session.id}")
    assert stamp in reviewer_page.get_data(as_text=True)


def test_hours_list_shows_the_verification_signature(as_user, trainee, enrollment, staff):
    entry = waiting_didactic(enrollment)
    _sign(as_user(staff), f"didactic:{entry.id}")
    page = as_user(trainee).get("/training/").get_data(as_text=True)
    assert "Signed by Stella Staff" in page
    assert VERIFICATION_MEANING in page
    detail = as_user(trainee).get(f"/signoffs/mine/didactic/{entry.id}").get_data(as_text=True)
    assert "Binding: intact" in detail


def test_a_signed_record_is_read_only(as_user, trainee, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    _sign(as_user(supervisor), f"session:{session.id}")
    client = as_user(trainee)
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
    post_form(client, f"/supervision/sessions/{session.id}/edit", data)
    post_form(client, f"/supervision/sessions/{session.id}/withdraw")
    post_form(client, f"/supervision/sessions/{session.id}/delete")
    db.session.expire_all()
    session = db.session.get(SupervisedSession, session.id)
    assert session.status == "signed"
    assert session.client_code == "KC-7QX4M2"
    signature = db.session.scalar(select(Signature))
    assert verify_binding(signature, session)


def test_a_change_behind_the_apps_back_breaks_the_binding(as_user, trainee, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    _sign(as_user(supervisor), f"session:{session.id}")
    db.session.execute(
        text("UPDATE supervised_sessions SET duration_minutes = 90 WHERE id = :id"),
        {"id": session.id},
    )
    db.session.commit()
    db.session.expire_all()
    signature = db.session.scalar(select(Signature))
    assert not verify_binding(signature, db.session.get(SupervisedSession, session.id))
    page = as_user(trainee).get(f"/supervision/sessions/{session.id}").get_data(as_text=True)
    assert "broken: the record changed after it was signed" in page


def test_the_trainee_export_holds_name_time_and_meaning(as_user, trainee, enrollment, supervisor):
    session = waiting_session(enrollment, supervisor)
    _sign(as_user(supervisor), f"session:{session.id}")
    signature = db.session.scalar(select(Signature))
    response = post_form(as_user(trainee), "/dashboard/export.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()  # a sent file stays open until the response is closed
    rows = json.loads(archive.read("data.json"))["records"]["signatures"]
    assert rows[0]["printed_name"] == "Dr. Sue Signer"
    assert rows[0]["meaning"] == SESSION_MEANING
    assert rows[0]["signed_at"] == signature.signed_at.isoformat()
    assert rows[0]["entry_type"] == "session" and rows[0]["entry_id"] == session.id
    csv_text = archive.read("csv/signatures.csv").decode()
    assert "Dr. Sue Signer" in csv_text and SESSION_MEANING in csv_text


def test_the_sessions_list_keeps_the_signature_out_of_the_status_column(
    as_user, trainee, enrollment, supervisor
):
    session = waiting_session(enrollment, supervisor)
    _sign(as_user(supervisor), f"session:{session.id}")
    page = as_user(trainee).get("/supervision/").get_data(as_text=True)
    status = re.search(r'<td class="session-status">(.*?)</td>', page, re.S).group(1)
    signature = re.search(r'<td class="session-signature">(.*?)</td>', page, re.S).group(1)
    assert "Signed by" not in status and status.strip()
    assert "Signed by Dr. Sue Signer" in signature and SESSION_MEANING in signature
