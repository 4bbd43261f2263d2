"""A signature's binding is keyed with the audit key: an insider who changes a signed session and
recomputes its stored hash (with the plain SHA-256 the code shows, under any key id) leaves the
binding broken on every page that shows the signature. Keys rotate; signatures from before the
keys still verify, and a later one made to look older does not."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy import text

from tests.conftest import post_form
from tests.signoffs.factories import sign_form
from tests.signoffs.factories import waiting_session
from tracker.audit import keys
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.signoffs import services as signoff_services
from tracker.signoffs.binding import content_hash
from tracker.signoffs.binding import verify_binding
from tracker.signoffs.models import Signature
from tracker.supervision.models import SupervisedSession

BROKEN = "broken: the record changed after it was signed"
OLD = "an-older-audit-key-kept-for-checking"
NEW = "the-newer-audit-key-used-for-writing"


def _signed(as_user, enrollment, supervisor) -> tuple[SupervisedSession, Signature]:
    session = waiting_session(enrollment, supervisor)
    response = post_form(
        as_user(supervisor),
        "/signoffs/sign",
        sign_form(f"session:{session.id}"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    signature = db.session.scalar(select(Signature).where(Signature.entry_id == session.id))
    return db.session.get(SupervisedSession, session.id), signature


def _intact(signature_id: int, session_id: int) -> bool:
    db.session.expire_all()
    return verify_binding(
        db.session.get(Signature, signature_id), db.session.get(SupervisedSession, session_id)
    )


def _page(as_user, trainee, session_id: int) -> str:
    return as_user(trainee).get(f"/supervision/sessions/{session_id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "key_id", ["test", None, "elsewhere"], ids=["same-key-id", "no-key-id", "unknown-key-id"]
)
def test_a_changed_signed_session_with_its_hash_recomputed_shows_broken(
    as_user, trainee, enrollment, supervisor, key_id
):
    session, signature = _signed(as_user, enrollment, supervisor)
    assert _intact(signature.id, session.id)
    db.session.execute(
        text("UPDATE supervised_sessions SET duration_minutes = 240 WHERE id = :id"),
        {"id": session.id},
    )
    db.session.commit()
    db.session.expire_all()
    recomputed = content_hash(db.session.get(SupervisedSession, session.id))
    db.session.execute(
        text("UPDATE signatures SET content_hash = :h, key_id = :k WHERE id = :id"),
        {"h": recomputed, "k": key_id, "id": signature.id},
    )
    db.session.commit()
    assert not _intact(signature.id, session.id)
    assert BROKEN in _page(as_user, trainee, session.id)


def test_signatures_keep_their_key_through_a_rotation(
    app, as_user, trainee, enrollment, supervisor, create_user
):
    app.config.update(AUDIT_KEYS={"2025": OLD, "2026": NEW}, AUDIT_KEY_ID="2025")
    session, signature = _signed(as_user, enrollment, supervisor)
    assert signature.key_id == "2025"
    app.config["AUDIT_KEY_ID"] = "2026"
    assert _intact(signature.id, session.id)
    assert "Binding: intact" in _page(as_user, trainee, session.id)
    # A key taken out of the configuration cannot vouch for what it signed.
    app.config["AUDIT_KEYS"] = {"2026": NEW}
    assert not _intact(signature.id, session.id)


@pytest.fixture
def before_the_keys():
    """The app as it was before the audit keys (unkeyed events, plain SHA-256 bindings), from
    before the test's records are made until the test undoes it."""
    patch = pytest.MonkeyPatch()
    patch.setattr(keys, "current_key_id", lambda: None)
    patch.setattr(
        signoff_services,
        "bind",
        lambda entry: {"content_hash": content_hash(entry), "key_id": None},
    )
    yield patch
    patch.undo()


def test_a_signature_from_before_the_keys_still_verifies(
    before_the_keys, app, as_user, trainee, enrollment, supervisor
):
    old_session, old_signature = _signed(as_user, enrollment, supervisor)
    before_the_keys.undo()
    assert old_signature.key_id is None
    assert old_signature.content_hash == content_hash(old_session)
    written_before = list(db.session.scalars(select(AuditEvent.key_id)))
    assert written_before and set(written_before) == {None}
    app.config["AUDIT_LEGACY_LAST_ID"] = len(written_before)  # set at the upgrade
    new_session, new_signature = _signed(as_user, enrollment, supervisor)
    assert new_signature.key_id == "test"
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert _intact(old_signature.id, old_session.id)
    assert "Binding: intact" in _page(as_user, trainee, old_session.id)

    # Made to look as if signed before the keys, a later signature is not trusted.
    db.session.execute(
        text("UPDATE signatures SET content_hash = :h, key_id = NULL WHERE id = :id"),
        {"h": content_hash(new_session), "id": new_signature.id},
    )
    db.session.commit()
    assert not _intact(new_signature.id, new_session.id)
    assert BROKEN in _page(as_user, trainee, new_session.id)
    # Nor is an old one whose session changed, with its plain hash recomputed.
    db.session.execute(
        text("UPDATE supervised_sessions SET duration_minutes = 240 WHERE id = :id"),
        {"id": old_session.id},
    )
    db.session.commit()
    db.session.expire_all()
    recomputed = content_hash(db.session.get(SupervisedSession, old_session.id))
    db.session.execute(
        text("UPDATE signatures SET content_hash = :h WHERE id = :id"),
        {"h": recomputed, "id": old_signature.id},
    )
    db.session.commit()
    assert not _intact(old_signature.id, old_session.id)
