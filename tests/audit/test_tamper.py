"""An insider with write access to the database, who puts the append-only triggers out of the way
first, cannot rewrite the audit trail unseen: `flask audit verify` fails naming what was done, on
SQLite and on PostgreSQL. (A changed signed record is in tests/signoffs/test_keyed_binding.py.)
"""

from __future__ import annotations

import pytest

from tests.audit.insider import append_forged
from tests.audit.insider import execute
from tests.audit.insider import rewrite_chain
from tests.audit.insider import triggers_off
from tracker.audit.services import record
from tracker.extensions import db


def _events(n: int) -> None:
    for i in range(n):
        record("test.event", object_type="thing", object_id=i, after={"i": i})
    db.session.commit()


def _verify(runner, *args: str):
    return runner.invoke(args=["audit", "verify", *args])


def _checkpoint(runner, path) -> None:
    result = runner.invoke(args=["audit", "checkpoint", "--out", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("unkeyed", [False, True], ids=["keeping-key-ids", "clearing-key-ids"])
def test_an_event_edited_and_the_whole_chain_recomputed_is_detected(app, runner, unkeyed):
    _events(5)
    rewrite_chain({3: {"object_id": "99", "after": '{"i":99}'}}, unkeyed=unkeyed)
    result = _verify(runner)
    assert result.exit_code == 1
    assert "BROKEN at event 1" in result.output
    if unkeyed:
        assert "no audit key" in result.output
        # The rewrite links up perfectly: only the keys, not the links, give it away.
        app.config["AUDIT_LEGACY_LAST_ID"] = 5
        assert _verify(runner).exit_code == 0
    else:
        assert "content does not match its hash (changed)" in result.output


def test_a_rewritten_history_fails_the_checkpoint_taken_before(app, runner, tmp_path):
    _events(5)
    _checkpoint(runner, tmp_path / "checkpoints.jsonl")
    rewrite_chain({5: {"object_id": "99"}}, unkeyed=True)
    app.config["AUDIT_LEGACY_LAST_ID"] = 5  # even were the unkeyed events let through
    result = _verify(runner, "--checkpoint", str(tmp_path / "checkpoints.jsonl"))
    assert result.exit_code == 1
    assert "event 5 no longer has the hash of checkpoint line 1" in result.output


def test_the_latest_events_deleted_and_the_head_fixed_fail_the_checkpoint(app, runner, tmp_path):
    _events(5)
    checkpoints = tmp_path / "checkpoints.jsonl"
    _checkpoint(runner, checkpoints)
    with triggers_off():
        execute("DELETE FROM audit_events WHERE id > 3")
        execute(
            "UPDATE audit_head SET last_id = 3, "
            "last_hash = (SELECT hash FROM audit_events WHERE id = 3)"
        )
    # The shortened chain holds together: only what was written down outside shows the cut.
    assert _verify(runner).exit_code == 0
    result = _verify(runner, "--checkpoint", str(checkpoints))
    assert result.exit_code == 1
    assert "event 5 of checkpoint line 1" in result.output
    assert "latest events deleted" in result.output
    # The app writes on from the cut: the new events 4 and 5 are not the checkpointed ones.
    _events(2)
    result = _verify(runner, "--checkpoint", str(checkpoints))
    assert result.exit_code == 1
    assert "event 5 no longer has the hash of checkpoint line 1" in result.output


@pytest.mark.parametrize("key_id", [None, "test"], ids=["no-key-id", "the-current-key-id"])
def test_a_forged_signature_event_is_detected(app, runner, key_id):
    _events(3)
    forged = append_forged(
        "signature.signed",
        key_id=key_id,
        object_type="signatures",
        object_id="1",
        after='{"entry_id":1,"entry_type":"session","printed_name":"Dr. Sue Signer"}',
    )
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"BROKEN at event {forged}" in result.output
    reason = "no audit key but follows keyed events" if key_id is None else "changed"
    assert reason in result.output


def test_a_forged_first_event_is_detected(app, runner):
    """No event of a chain begun under the keys may be unkeyed, not even the first."""
    append_forged("signature.signed", key_id=None, object_type="signatures", object_id="1")
    result = _verify(runner)
    assert result.exit_code == 1
    assert "BROKEN at event 1: event has no audit key" in result.output


def test_a_deleted_head_is_detected(app, runner):
    _events(3)
    execute("DELETE FROM audit_head")
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert "head row (audit_head) is missing" in result.output
    # Nor does the app start a new chain behind the missing head.
    with pytest.raises(RuntimeError, match="audit_head"):
        record("test.after", object_type="thing")
    db.session.rollback()


def test_a_deleted_head_is_detected_on_an_empty_trail(app, runner):
    execute("DELETE FROM audit_head")
    db.session.commit()
    assert _verify(runner).exit_code == 1


def test_a_changed_head_is_detected(app, runner):
    _events(3)
    execute("UPDATE audit_head SET last_hash = :h", h="f" * 64)
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert "BROKEN at event 3: the chain's head does not match this event" in result.output
