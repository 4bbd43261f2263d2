"""Checkpoints of the audit chain: its head (sequence number and hash), when it was taken and the
audit key that signs it, one JSON line each, kept outside the database.

A checkpoint is signed with the audit key (HMAC-SHA256), the key that already keys the chain: no
new secret to hold, and no new dependency. Whoever holds the key could write a checkpoint, but
the point of a checkpoint is where it is kept: once shipped off the host, an intruder on the
database server cannot take it back. Against a later rewrite of the chain (events deleted from the
end and the head fixed up, or history recomputed) the chain must still hold the event at the
checkpoint's sequence number with the checkpoint's hash.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from tracker.audit import keys
from tracker.audit.models import AuditEvent
from tracker.audit.services import GENESIS_HASH
from tracker.audit.services import ChainState
from tracker.extensions import db
from tracker.extensions import utcnow

CHECKPOINT_PURPOSE = "audit-checkpoint"
DEFAULT_FILE = "audit-checkpoints.jsonl"
_FIELDS = ("sequence", "hash", "taken_at", "key_id", "mac")


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment: its last event's sequence number and hash, signed."""

    sequence: int
    hash: str
    taken_at: str
    key_id: str
    mac: str

    def line(self) -> str:
        """The checkpoint as one line of JSON."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def _signed_text(sequence: int, hash_: str, taken_at: str, key_id: str) -> str:
    values = {"sequence": sequence, "hash": hash_, "taken_at": taken_at, "key_id": key_id}
    return json.dumps(values, sort_keys=True, separators=(",", ":"))


def take(state: ChainState) -> Checkpoint:
    """A checkpoint of the chain as `state` found it (intact), signed with the current key."""
    taken_at = utcnow().isoformat(timespec="seconds")
    key_id = keys.current_key_id()
    signed = _signed_text(state.count, state.last_hash, taken_at, key_id)
    _, mac = keys.current_mac(CHECKPOINT_PURPOSE, signed)
    return Checkpoint(state.count, state.last_hash, taken_at, key_id, mac)


def default_path() -> Path:
    """The checkpoints file in the instance folder."""
    return Path(current_app.instance_path) / DEFAULT_FILE


def append(checkpoint: Checkpoint, path: Path) -> None:
    """Add the checkpoint as the last line of the file at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(checkpoint.line() + "\n")


def parse(lines: Iterable[str]) -> tuple[list[tuple[int, Checkpoint]], list[str]]:
    """The checkpoints in a file's lines (with their line numbers) and what was wrong with the
    lines that are not checkpoints, or whose signature does not hold."""
    found: list[tuple[int, Checkpoint]] = []
    problems: list[str] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            values = json.loads(text)
            checkpoint = Checkpoint(**{name: values[name] for name in _FIELDS})
            valid = (
                type(checkpoint.sequence) is int
                and checkpoint.sequence >= 0
                and all(isinstance(values[name], str) for name in _FIELDS[1:])
            )
        except (ValueError, TypeError, KeyError):
            valid = False
        if not valid:
            problems.append(f"checkpoint line {number} is not a checkpoint")
            continue
        if not keys.is_known(checkpoint.key_id):
            problems.append(
                f"checkpoint line {number} names audit key {checkpoint.key_id!r}, "
                "which is not in AUDIT_KEYS"
            )
            continue
        signed = _signed_text(
            checkpoint.sequence, checkpoint.hash, checkpoint.taken_at, checkpoint.key_id
        )
        expected = keys.mac(CHECKPOINT_PURPOSE, checkpoint.key_id, signed) or ""
        if not hmac.compare_digest(expected, str(checkpoint.mac)):
            problems.append(f"checkpoint line {number} does not match its signature (altered)")
            continue
        found.append((number, checkpoint))
    return found, problems


def check(checkpoints: list[tuple[int, Checkpoint]], state: ChainState) -> list[str]:
    """What does not hold of `checkpoints` in the chain as `state` found it: each checkpoint's
    event must still be there with the checkpoint's hash (the chain itself is checked apart)."""
    problems = []
    wanted = sorted({c.sequence for _, c in checkpoints if c.sequence > 0})
    stored: dict[int, str] = {0: GENESIS_HASH}
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        rows = db.session.execute(
            select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_(batch))
        )
        stored.update((event_id, hash_) for event_id, hash_ in rows)
    for number, checkpoint in checkpoints:
        at = checkpoint.sequence
        if at not in stored:
            problems.append(
                f"event {at} of checkpoint line {number} ({checkpoint.taken_at}) is missing: "
                f"the chain now ends at event {state.count} (latest events deleted)"
            )
        elif not hmac.compare_digest(stored[at], checkpoint.hash):
            problems.append(
                f"event {at} no longer has the hash of checkpoint line {number} "
                f"({checkpoint.taken_at}): history was rewritten"
            )
    return problems
