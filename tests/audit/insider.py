"""What an insider with the database owner's rights can do behind the app's back: put the audit
trail's append-only triggers out of the way (the owner of a table may), then write any row, with
any hash they can compute. They have the code, so plain SHA-256 is theirs; the audit key is not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update

from tests.conftest import is_postgres
from tracker.audit.models import AuditEvent
from tracker.audit.models import AuditHead
from tracker.audit.services import GENESIS_HASH
from tracker.extensions import db
from tracker.extensions import utcnow

COLUMNS = [column.name for column in AuditEvent.__table__.columns]


@contextmanager
def triggers_off() -> Iterator[None]:
    """Disable (PostgreSQL) or drop (SQLite) the append-only triggers, run the body as one
    transaction, put the triggers back on PostgreSQL (covering one's tracks) and commit."""
    try:
        if is_postgres():
            db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            db.session.execute(text("DROP TRIGGER audit_events_no_update"))
            db.session.execute(text("DROP TRIGGER audit_events_no_delete"))
        yield
        if is_postgres():
            db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    db.session.expire_all()


def execute(statement: str, **params: Any) -> None:
    """Run one SQL statement."""
    db.session.execute(text(statement), params)


def plain_hash(row: dict[str, Any]) -> str:
    """The SHA-256 an insider computes over an event's content, as the unkeyed chain did."""
    fields = [
        row["id"],
        row["occurred_at"].isoformat(timespec="microseconds"),
        row["actor_id"],
        row["subject_user_id"],
        row["action"],
        row["object_type"],
        row["object_id"],
        row["before"],
        row["after"],
        row["request_id"],
        row["prev_hash"],
    ]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


def rows() -> list[dict[str, Any]]:
    """Every event, as plain values, in order."""
    result = db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.id))
    return [dict(row._mapping) for row in result]


def rewrite_chain(changes: dict[int, dict[str, Any]], *, unkeyed: bool) -> None:
    """Apply `changes` (event id -> new column values), then recompute every link and hash with
    plain SHA-256 and fix the head, so that the chain links up end to end. With `unkeyed` the
    key ids are cleared too, claiming every event predates the audit keys."""
    previous = GENESIS_HASH
    with triggers_off():
        for row in rows():
            row.update(changes.get(row["id"], {}))
            row["prev_hash"] = previous
            if unkeyed:
                row["key_id"] = None
            row["hash"] = plain_hash(row)
            db.session.execute(
                update(AuditEvent.__table__)
                .where(AuditEvent.__table__.c.id == row["id"])
                .values({name: row[name] for name in COLUMNS if name != "id"})
            )
            previous = row["hash"]
        db.session.execute(update(AuditHead).values(last_hash=previous))


def append_forged(action: str, *, key_id: str | None, **values: Any) -> int:
    """Append an event the app never wrote, hashed with plain SHA-256, and move the head to it;
    return its id."""
    last = rows()[-1] if rows() else None
    row = {
        "id": (last["id"] if last else 0) + 1,
        "occurred_at": utcnow(),
        "actor_id": None,
        "subject_user_id": None,
        "action": action,
        "object_type": "system",
        "object_id": None,
        "before": None,
        "after": None,
        "request_id": None,
        "prev_hash": last["hash"] if last else GENESIS_HASH,
        "key_id": key_id,
        **values,
    }
    row["hash"] = plain_hash(row)
    with triggers_off():
        db.session.execute(insert(AuditEvent.__table__).values(row))
        db.session.execute(update(AuditHead).values(last_id=row["id"], last_hash=row["hash"]))
    return row["id"]
