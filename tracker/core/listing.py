"""The one shape of a list of a person's or an enrollment's records: newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db


def newest_first(model: Any, by: str, *related: Any, **owner: int) -> list[Any]:
    """The `model` rows of `owner` (one column and its value, such as enrollment_id=7), latest
    `by` first (then latest id), with the `related` relationships (names, or loader options)
    loaded."""
    ((column, value),) = owner.items()
    options = [
        joinedload(getattr(model, item)) if isinstance(item, str) else item for item in related
    ]
    stmt = (
        select(model)
        .where(getattr(model, column) == value)
        .options(*options)
        .order_by(getattr(model, by).desc(), model.id.desc())
    )
    return list(db.session.scalars(stmt))
