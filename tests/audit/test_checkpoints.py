"""`flask audit checkpoint` writes the chain's head, signed, to a file kept outside the database
(and mails it to the auditor when one is set); `flask audit verify --checkpoint FILE` checks the
chain still holds every checkpoint in the file."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from tracker.audit.services import hash_at
from tracker.audit.services import record
from tracker.extensions import db


def _events(n: int) -> None:
    for i in range(n):
        record("test.event", object_type="thing", object_id=i)
    db.session.commit()


def _checkpoint(runner, *args: str):
    return runner.invoke(args=["audit", "checkpoint", *args])


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_checkpoint_names_the_head_and_is_signed(app, runner, tmp_path):
    _events(3)
    out = tmp_path / "offsite" / "checkpoints.jsonl"
    result = _checkpoint(runner, "--out", str(out))
    assert result.exit_code == 0, result.output
    (line,) = _lines(out)
    assert line["sequence"] == 3
    assert line["hash"] == hash_at(3)
    assert line["key_id"] == "test"
    assert line["taken_at"].endswith("+00:00")
    assert len(line["mac"]) == 64
    assert json.dumps(line, sort_keys=True, separators=(",", ":")) in result.output


def test_checkpoints_accumulate_in_the_instance_folder_by_default(app, runner):
    _events(1)
    assert _checkpoint(runner).exit_code == 0
    _events(2)
    assert _checkpoint(runner).exit_code == 0
    path = Path(app.instance_path) / "audit-checkpoints.jsonl"
    assert [line["sequence"] for line in _lines(path)] == [1, 3]
    _events(1)
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 0, result.output
    assert "extends all 2 checkpoint(s)" in result.output


def test_an_empty_trail_can_be_checkpointed(app, runner, tmp_path):
    out = tmp_path / "checkpoints.jsonl"
    assert _checkpoint(runner, "--out", str(out)).exit_code == 0
    assert _lines(out)[0]["sequence"] == 0
    _events(1)
    assert runner.invoke(args=["audit", "verify", "--checkpoint", str(out)]).exit_code == 0


def test_the_checkpoint_is_mailed_to_the_auditor(app, runner, tmp_path, mail_outbox):
    app.config["AUDIT_CHECKPOINT_EMAIL"] = "auditor@example.org"
    _events(2)
    out = tmp_path / "checkpoints.jsonl"
    assert _checkpoint(runner, "--out", str(out)).exit_code == 0
    (message,) = mail_outbox
    assert message.to == "auditor@example.org"
    assert "event 2" in message.subject
    assert out.read_text().strip() in message.body


def test_no_checkpoint_of_a_broken_chain(app, runner, tmp_path):
    _events(2)
    db.session.execute(text("DELETE FROM audit_head"))
    db.session.commit()
    out = tmp_path / "checkpoints.jsonl"
    result = _checkpoint(runner, "--out", str(out))
    assert result.exit_code == 1
    assert "No checkpoint taken" in result.output
    assert not out.exists()


def test_an_altered_or_foreign_checkpoint_is_refused(app, runner, tmp_path):
    _events(3)
    out = tmp_path / "checkpoints.jsonl"
    assert _checkpoint(runner, "--out", str(out)).exit_code == 0
    (line,) = _lines(out)
    lowered = {**line, "sequence": 2, "hash": hash_at(2)}
    foreign = {**line, "key_id": "elsewhere"}
    out.write_text(
        "\n".join(json.dumps(x) for x in (line, lowered, foreign)) + "\nnot a checkpoint\n"
    )
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(out)])
    assert result.exit_code == 1
    assert "checkpoint line 2 does not match its signature (altered)" in result.output
    assert "checkpoint line 3 names audit key 'elsewhere', which is not in AUDIT_KEYS" in (
        result.output
    )
    assert "checkpoint line 4 is not a checkpoint" in result.output
    assert "line 1" not in result.output


def test_a_file_without_checkpoints_is_a_failure(app, runner, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(empty)])
    assert result.exit_code == 1
    assert "holds no checkpoint" in result.output
