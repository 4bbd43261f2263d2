"""A change that holds only while the row is still as the caller saw it: of two requests that
race to decide, sign or revoke the same record, one wins and the other is refused.

Two ways, both checked by the database in the statement that acts: `update_if` writes only
while its conditions hold and counts the rows it changed; `lock_if` holds the row (SELECT ...
FOR UPDATE on PostgreSQL) while its conditions hold, so that the caller's later writes cannot
interleave with another writer's. On SQLite a writing request holds the whole database from its
first statement (BEGIN IMMEDIATE), so the lock clause is not needed there.

Writers that lock several rows take them in one order, so that two of them never wait on each
other in a circle: the enrollment first, then its entries (by type, then id), then the audit
trail's head (which `tracker.audit.services.record` takes), then the progress snapshots (at
commit). A writer may skip a step, never go back to one: a trainee's change of hours holds the
enrollment FOR UPDATE (the daily cap needs it) before the entry, so a signature, whose foreign
key to the enrollment would otherwise wait for it after the signer already holds the entry,
takes that key lock first.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from typing import Any
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy import update

from tracker.core.errors import Refused
from tracker.extensions import db

T = TypeVar("T")
GONE = "This record was removed a moment ago; nothing was changed."


def update_if(
    record: T, *conditions: Any, values: dict[str, Any], refused: str | Callable[[T], str]
) -> T:
    """Write `values` to `record`'s row only while `conditions` hold in the database, then
    re-read it; refused otherwise (`refused` may be a function of the record as it now is)."""
    model = type(record)
    changed = db.session.execute(
        update(model)
        .where(model.id == record.id, *conditions)  # type: ignore[attr-defined]
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        _refuse(record, refused)
    db.session.refresh(record)
    return record


def lock_if(record: T, *conditions: Any, refused: str | Callable[[T], str]) -> T:
    """Hold `record`'s row until the transaction ends and re-read it, only while `conditions`
    hold in the database; refused otherwise (`refused` may be a function of the record as it
    now is). A writer that waited for the lock sees the row as the other writer left it."""
    model = type(record)
    held = db.session.scalar(
        select(model)
        .where(model.id == record.id, *conditions)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if held is None:
        _refuse(record, refused)
    return record


def lock_rows(model: type, ids: Iterable[int], *, key_share: bool = False) -> None:
    """Hold the rows of `model` with these ids until the transaction ends, taken in id order.

    With `key_share`, FOR KEY SHARE: the weakest lock, which a foreign key to the row takes
    anyway; it waits only for a writer holding the row FOR UPDATE (or deleting it) and lets
    ordinary updates of the row through."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    db.session.execute(
        select(model.id)  # type: ignore[attr-defined]
        .where(model.id.in_(wanted))  # type: ignore[attr-defined]
        .order_by(model.id)  # type: ignore[attr-defined]
        .with_for_update(read=key_share, key_share=key_share)
    )


def _refuse(record: T, refused: str | Callable[[T], str]) -> None:
    """Raise the refusal, worded from the record as the database now holds it."""
    if not callable(refused):
        raise Refused(refused)
    model = type(record)
    current = db.session.scalar(
        select(model)
        .where(model.id == record.id)  # type: ignore[attr-defined]
        .execution_options(populate_existing=True)
    )
    if current is None:
        raise Refused(GONE)
    raise Refused(refused(current))
