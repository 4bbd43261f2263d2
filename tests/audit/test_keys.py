"""The audit chain is keyed: each event is an HMAC with the audit key it names, so keys can
rotate; an event naming a key no longer configured cannot be checked; events written before the
keys came in keep their plain SHA-256 and verify, up to AUDIT_LEGACY_LAST_ID only."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from tracker.audit import keys
from tracker.audit.models import AuditEvent
from tracker.audit.services import record
from tracker.audit.services import verify_chain
from tracker.extensions import db

OLD = "an-older-audit-key-kept-for-checking"
NEW = "the-newer-audit-key-used-for-writing"


def _events(n: int) -> None:
    for i in range(n):
        record("test.event", object_type="thing", object_id=i)
    db.session.commit()


def _key_ids() -> list[str | None]:
    return list(db.session.scalars(select(AuditEvent.key_id).order_by(AuditEvent.id)))


def _verify(runner):
    return runner.invoke(args=["audit", "verify"])


def test_an_event_is_an_hmac_with_the_current_key(app):
    _events(1)
    event = db.session.scalar(select(AuditEvent))
    assert event.key_id == "test"
    fields = [
        event.id,
        event.occurred_at.isoformat(timespec="microseconds"),
        event.actor_id,
        event.subject_user_id,
        event.action,
        event.object_type,
        event.object_id,
        event.before,
        event.after,
        event.request_id,
        event.prev_hash,
        event.key_id,
    ]
    message = b"audit-event\x00" + json.dumps(fields, separators=(",", ":")).encode()
    assert event.hash == hmac.new(b"testing-audit-key", message, hashlib.sha256).hexdigest()


def test_keys_rotate_and_older_events_still_verify(app, runner):
    app.config.update(AUDIT_KEYS={"2025": OLD, "2026": NEW}, AUDIT_KEY_ID="2025")
    _events(2)
    app.config["AUDIT_KEY_ID"] = "2026"
    _events(2)
    assert _key_ids() == ["2025", "2025", "2026", "2026"]
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    # Unset, the current key is the last one listed.
    app.config["AUDIT_KEY_ID"] = None
    _events(1)
    assert _key_ids()[-1] == "2026"


def test_an_event_whose_key_is_not_configured_fails_with_the_reason(app, runner):
    app.config.update(AUDIT_KEYS={"2025": OLD, "2026": NEW}, AUDIT_KEY_ID="2025")
    _events(2)
    app.config.update(AUDIT_KEYS={"2026": NEW}, AUDIT_KEY_ID="2026")
    _events(1)
    result = _verify(runner)
    assert result.exit_code == 1
    assert "BROKEN at event 1: event names audit key '2025', which is not in AUDIT_KEYS" in (
        result.output
    )


def test_the_same_content_under_another_key_is_refused(app, runner):
    """A key id is bound into its event: relabelling an event with another configured key fails."""
    app.config.update(AUDIT_KEYS={"2025": OLD, "2026": NEW}, AUDIT_KEY_ID="2025")
    _events(1)
    app.config["AUDIT_KEYS"] = {"2025": NEW, "2026": OLD}
    assert verify_chain()[1] is not None


def _legacy_events(monkeypatch, n: int) -> None:
    """Events as the app wrote them before the audit keys came in (no key id, plain SHA-256)."""
    with monkeypatch.context() as patch:
        patch.setattr(keys, "current_key_id", lambda: None)
        _events(n)


def test_events_from_before_the_keys_verify_up_to_the_legacy_limit(app, runner, monkeypatch):
    _legacy_events(monkeypatch, 3)
    _events(2)
    assert _key_ids() == [None, None, None, "test", "test"]
    app.config["AUDIT_LEGACY_LAST_ID"] = 3
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "intact: 5 event(s)" in result.output
    # Without the limit set, they are not taken on trust.
    app.config["AUDIT_LEGACY_LAST_ID"] = 0
    result = _verify(runner)
    assert result.exit_code == 1
    assert "BROKEN at event 1: event has no audit key" in result.output
    assert "AUDIT_LEGACY_LAST_ID (0)" in result.output


@pytest.mark.parametrize("limit", [3, 100])
def test_no_unkeyed_event_after_the_first_keyed_one(app, runner, monkeypatch, limit):
    app.config["AUDIT_LEGACY_LAST_ID"] = limit
    _legacy_events(monkeypatch, 2)
    _events(2)
    _legacy_events(monkeypatch, 1)
    result = _verify(runner)
    assert result.exit_code == 1
    assert "BROKEN at event 5: event has no audit key" in result.output
