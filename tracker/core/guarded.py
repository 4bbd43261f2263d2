"""A change that holds only while the row is still as the caller saw it: of two requests that
race to decide, sign or revoke the same record, one wins and the other is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

from sqlalchemy import update

from tracker.core.errors import Refused
from tracker.extensions import db

T = TypeVar("T")


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
        if callable(refused):
            db.session.refresh(record)
            raise Refused(refused(record))
        raise Refused(refused)
    db.session.refresh(record)
    return record
