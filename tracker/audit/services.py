"""Recording audit events (the one place every change of state is written from) and checking
the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import g
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy import update

from tracker.audit.models import AuditEvent
from tracker.audit.models import AuditHead
from tracker.extensions import db
from tracker.extensions import utcnow

GENESIS_HASH = "0" * 64
HEAD_ID = 1


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


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over an event's content and the previous event's hash."""
    payload = json.dumps(
        [
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
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


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

    The head row is updated first: the update takes the write lock (SQLite) or the row lock
    (PostgreSQL) so concurrent writers chain one after the other instead of forking the chain.
    """
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    if actor_id is None:
        actor_id = _current_actor_id()
    session = db.session
    session.flush()
    updated = session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_id=AuditHead.last_id + 1)
    )
    if updated.rowcount == 0:
        session.add(AuditHead(id=HEAD_ID, last_id=1, last_hash=GENESIS_HASH))
        session.flush()
    head = session.execute(
        select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == HEAD_ID)
    ).one()
    # occurred_at is truncated to microseconds and made aware, as the database returns it.
    event = AuditEvent(
        id=head.last_id,
        occurred_at=utcnow(),
        actor_id=actor_id,
        subject_user_id=subject_user_id,
        action=action,
        object_type=object_type or "system",
        object_id=None if object_id is None else str(object_id),
        before=to_json(before),
        after=to_json(after),
        request_id=g.get("request_id") if has_request_context() else None,
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_hash=event.hash))
    session.flush()
    return event


@dataclass(frozen=True)
class ChainBreak:
    """The first event at which the chain does not hold, and why."""

    event_id: int
    reason: str
    checked: int = 0


def verify_chain() -> tuple[int, ChainBreak | None]:
    """Walk the whole chain; return the number of events checked and the first break, if any."""
    previous_hash = GENESIS_HASH
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=2000)
    with db.session.scalars(stmt) as events:
        broken = _walk(events, previous_hash)
    if isinstance(broken, ChainBreak):
        return broken.checked, broken
    count, previous_hash = broken
    head = db.session.get(AuditHead, HEAD_ID)
    if head is not None and (head.last_id != count or head.last_hash != previous_hash):
        return count, ChainBreak(count + 1, "latest events are missing (the chain was cut)")
    return count, None


def _walk(events: Iterator[AuditEvent], previous_hash: str) -> ChainBreak | tuple[int, str]:
    """Check each link; return the first break, or the count and the last hash."""
    expected_id = 1
    count = 0
    for event in events:
        if event.id != expected_id:
            return ChainBreak(expected_id, "event is missing (removed or never written)", count)
        if event.prev_hash != previous_hash:
            return ChainBreak(event.id, "previous-hash link does not match", count)
        if event_hash(event) != event.hash:
            return ChainBreak(event.id, "content does not match its hash (changed)", count)
        previous_hash = event.hash
        expected_id += 1
        count += 1
    return count, previous_hash
