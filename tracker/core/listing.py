"""The one shape of a list of a person's or an enrollment's records (newest first), and the one
way a bulk read takes the enrollments it covers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select
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


def chosen_ids(enrollment_ids: Iterable[int] | Select) -> tuple[list[int], list[int] | Select]:
    """For a bulk read given ids or a subquery selecting them: the ids that must each get an
    entry (sorted, none for a subquery) and what to filter the reads by."""
    if isinstance(enrollment_ids, Select):
        return [], enrollment_ids
    ids = sorted({int(i) for i in enrollment_ids})
    return ids, ids
