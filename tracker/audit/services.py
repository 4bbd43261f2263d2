"""Recording audit events (the one place every change of state is written from) and checking
the chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from flask import g
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy import update

from tracker.audit import keys
from tracker.audit.models import AuditEvent
from tracker.audit.models import AuditHead
from tracker.extensions import db
from tracker.extensions import utcnow

GENESIS_HASH = "0" * 64
HEAD_ID = 1
EVENT_PURPOSE = "audit-event"


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    raise TypeError(f"cannot record {type(value).__name__}")


def audited(obj: Any) -> dict[str, Any]:
    """The values of `obj`'s audited fields (its model's `__audited__`), as an event's before
    or after; a list of related records becomes rows of their own audited values."""
    return {name: _audited_value(getattr(obj, name)) for name in type(obj).__audited__}


def _audited_value(value: Any) -> Any:
    if isinstance(value, list) and value and hasattr(type(value[0]), "__audited__"):
        return [[getattr(item, name) for name in type(item).__audited__] for item in value]
    return value


def added(action: str, obj: Any, **event: Any) -> None:
    """Add the new record `obj` and record `action` with its audited fields as the after."""
    db.session.add(obj)
    db.session.flush()
    record(action, obj, after=audited(obj), **event)


def changed(
    action: str, obj: Any, values: dict[str, Any], *, unless_same: bool = False, **event: Any
) -> None:
    """Set `values` on `obj` and record `action` with its audited fields before and after
    (with `unless_same`, only when they differ)."""
    before = audited(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    db.session.flush()
    after = audited(obj)
    if not unless_same or after != before:
        record(action, obj, before=before, after=after, **event)


def deleted(action: str, obj: Any, **event: Any) -> None:
    """Record `action` with `obj`'s audited fields as the before, then delete it."""
    record(action, obj, before=audited(obj), **event)
    db.session.delete(obj)
    db.session.flush()


def to_json(value: Any) -> str | None:
    """Canonical JSON (sorted keys, no spaces) of a before/after snapshot."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_default)


def event_hash(event: AuditEvent) -> str | None:
    """An event's hash over its content and the previous event's hash: HMAC-SHA256 with the audit
    key the event names (None when that key is not configured), or plain SHA-256 for an event
    written before the keys came in (no key id)."""
    fields: list[Any] = [
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
    ]
    if event.key_id is None:
        return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()
    payload = json.dumps([*fields, event.key_id], separators=(",", ":"))
    return keys.mac(EVENT_PURPOSE, event.key_id, payload)


def _current_actor_id() -> int | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


def record(
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    before: Any = None,
    after: Any = None,
    actor_id: int | None = None,
    subject_user_id: int | None = None,
) -> AuditEvent:
    """Append an event to the chain within the caller's transaction (flushes, never commits).

    The head is made by the first migration; without it nothing is recorded (a new chain started
    behind a removed head would hide what came before). See `record_each`.
    """
    return record_each(
        [
            Recorded(
                action,
                obj,
                object_type=object_type,
                object_id=object_id,
                before=before,
                after=after,
                actor_id=actor_id,
                subject_user_id=subject_user_id,
            )
        ]
    )[0]


@dataclass(frozen=True)
class Recorded:
    """One event to append with `record_each`: the arguments `record` takes."""

    action: str
    obj: Any = None
    object_type: str | None = None
    object_id: Any = None
    before: Any = None
    after: Any = None
    actor_id: int | None = None
    subject_user_id: int | None = None


def record_each(events: list[Recorded]) -> list[AuditEvent]:
    """Append `events` to the chain in order, within the caller's transaction (flushes, never
    commits): each is chained to the one before exactly as `record` chains one, and the head is
    taken once for all of them, so a batch of acts costs a fixed number of statements.

    The head row is updated first: the update takes the write lock (SQLite) or the row lock
    (PostgreSQL) so concurrent writers chain one after the other instead of forking the chain.
    """
    if not events:
        return []
    session = db.session
    session.flush()
    head = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(last_id=AuditHead.last_id + len(events))
        .returning(AuditHead.last_id, AuditHead.last_hash)
    ).one_or_none()
    if head is None:
        raise RuntimeError(
            "the audit chain's head row (audit_head) is missing: run `flask audit verify`"
        )
    request_id = g.get("request_id") if has_request_context() else None
    key_id = keys.current_key_id()
    current_actor = _current_actor_id() if any(item.actor_id is None for item in events) else None
    next_id = head.last_id - len(events) + 1
    previous_hash = head.last_hash
    written = []
    for number, item in enumerate(events):
        object_type, object_id = item.object_type, item.object_id
        if item.obj is not None:
            object_type = object_type or type(item.obj).__tablename__
            object_id = object_id if object_id is not None else getattr(item.obj, "id", None)
        # occurred_at is truncated to microseconds and made aware, as the database returns it.
        event = AuditEvent(
            id=next_id + number,
            occurred_at=utcnow(),
            actor_id=item.actor_id if item.actor_id is not None else current_actor,
            subject_user_id=item.subject_user_id,
            action=item.action,
            object_type=object_type or "system",
            object_id=None if object_id is None else str(object_id),
            before=to_json(item.before),
            after=to_json(item.after),
            request_id=request_id,
            prev_hash=previous_hash,
            key_id=key_id,
        )
        event.hash = event_hash(event)
        previous_hash = event.hash
        written.append(event)
    session.add_all(written)
    session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_hash=previous_hash)
    )
    session.flush()
    return written


@dataclass(frozen=True)
class ChainBreak:
    """The first event at which the chain does not hold, and why."""

    event_id: int
    reason: str
    checked: int = 0


@dataclass(frozen=True)
class ChainState:
    """What a walk of the chain found: how many events hold, the last one's hash, the break."""

    count: int
    last_hash: str
    broken: ChainBreak | None


def verify_chain() -> tuple[int, ChainBreak | None]:
    """Walk the whole chain; return the number of events checked and the first break, if any."""
    state = walk_chain()
    return state.count, state.broken


def walk_chain() -> ChainState:
    """Check every event and the head.

    Every event must carry its audit key's HMAC, except the first AUDIT_LEGACY_LAST_ID events
    (written before the keys came in), whose plain SHA-256 still counts: without that limit
    anyone could rewrite the whole chain unkeyed. The head row must exist, and the chain must
    reach it: it is read before the events, so events appended meanwhile are simply checked too.
    """
    head = db.session.execute(
        select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == HEAD_ID)
    ).one_or_none()
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=2000)
    with db.session.scalars(stmt) as events:
        walked = _walk(events, GENESIS_HASH, int(current_app.config["AUDIT_LEGACY_LAST_ID"]))
    if isinstance(walked, ChainBreak):
        return ChainState(walked.checked, "", walked)
    count, last_hash = walked
    if head is None:
        reason = "the chain's head row (audit_head) is missing: its end cannot be checked"
        return ChainState(count, last_hash, ChainBreak(count + 1, reason, count))
    if head.last_id > count:
        reason = "latest events are missing (the chain was cut)"
        return ChainState(count, last_hash, ChainBreak(count + 1, reason, count))
    if head.last_hash != (hash_at(head.last_id) or GENESIS_HASH):
        reason = "the chain's head does not match this event"
        at = head.last_id
        return ChainState(count, last_hash, ChainBreak(at, reason, max(at - 1, 0)))
    return ChainState(count, last_hash, None)


def hash_at(event_id: int) -> str | None:
    """The stored hash of event `event_id` (None when there is no such event)."""
    return db.session.scalar(select(AuditEvent.hash).where(AuditEvent.id == event_id))


def _walk(
    events: Iterator[AuditEvent], previous_hash: str, legacy_last_id: int
) -> ChainBreak | tuple[int, str]:
    """Check each link; return the first break, or the count and the last hash."""
    expected_id = 1
    count = 0
    keyed = False
    for event in events:
        if event.id != expected_id:
            return ChainBreak(expected_id, "event is missing (removed or never written)", count)
        if event.prev_hash != previous_hash:
            return ChainBreak(event.id, "previous-hash link does not match", count)
        problem = _key_problem(event, keyed, legacy_last_id)
        if problem:
            return ChainBreak(event.id, problem, count)
        expected = event_hash(event)
        if expected is None or not hmac.compare_digest(expected, event.hash):
            return ChainBreak(event.id, "content does not match its hash (changed)", count)
        keyed = keyed or event.key_id is not None
        previous_hash = event.hash
        expected_id += 1
        count += 1
    return count, previous_hash


def _key_problem(event: AuditEvent, keyed: bool, legacy_last_id: int) -> str | None:
    """Why the event's key cannot be trusted, if it cannot."""
    if event.key_id is not None:
        if not keys.is_known(event.key_id):
            return f"event names audit key {event.key_id!r}, which is not in AUDIT_KEYS"
        return None
    if keyed:
        return "event has no audit key but follows keyed events (forged or rewritten)"
    if event.id > legacy_last_id:
        return (
            "event has no audit key, and only the first AUDIT_LEGACY_LAST_ID "
            f"({legacy_last_id}) events, written before the keys, may have none"
        )
    return None


def recorded_before_keys(action: str, obj: Any) -> dict[str, Any] | None:
    """The `after` of the event that recorded `action` on `obj`, when that event is one of the
    first AUDIT_LEGACY_LAST_ID (written before the audit keys came in); None otherwise."""
    after = db.session.scalar(
        select(AuditEvent.after)
        .where(
            AuditEvent.action == action,
            AuditEvent.object_type == type(obj).__tablename__,
            AuditEvent.object_id == str(obj.id),
            AuditEvent.key_id.is_(None),
            AuditEvent.id <= int(current_app.config["AUDIT_LEGACY_LAST_ID"]),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return json.loads(after) if after else None
