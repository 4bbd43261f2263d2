"""SQL pieces the reports need on both databases: a span in days between two date or time
columns, and nearest-rank quantiles computed by the database over groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Select
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import select

from tracker.extensions import db


def dialect() -> str:
    """The name of the database the session talks to ("sqlite" or "postgresql")."""
    return db.session.get_bind().dialect.name


def days_between(later: Any, earlier: Any) -> Any:
    """An expression for the days (fractional) from `earlier` to `later`."""
    if dialect() == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    span = cast(later, DateTime) - cast(earlier, DateTime)
    return func.extract("epoch", span) / 86400.0


def day_of(moment: Any) -> Any:
    """An expression for the UTC calendar day of a stored time."""
    if dialect() == "sqlite":
        return func.date(moment)
    return cast(func.timezone("UTC", moment), Date)


def quantiles(
    source: Select, group: str, value: str, percents: Sequence[int], step: float
) -> list[tuple[Any, int, list[float | None]]]:
    """Per group of `source` (a select with columns named `group` and `value`): the number of
    rows and the nearest-rank percentiles of `value` (the smallest value with at least p% of
    the group at or below it), rounded to the nearest multiple of `step`. One query: the
    database counts the rows per group and rounded value, which stays small whatever the number
    of rows; the ranks are read off the counts."""
    inner = source.subquery("v")
    bucket = func.floor(inner.c[value] / step + 0.5).label("b")
    rows = db.session.execute(
        select(inner.c[group], bucket, func.count())
        .group_by(inner.c[group], bucket)
        .order_by(inner.c[group], bucket)
    ).all()
    counts: dict[Any, list[tuple[float, int]]] = {}
    for g, b, n in rows:
        counts.setdefault(g, []).append((float(b), int(n)))
    result = []
    for g, steps in counts.items():
        total = sum(n for _, n in steps)
        picked: list[float | None] = []
        for p in percents:
            rank = max((p * total + 99) // 100, 1)  # ceil(p * n / 100)
            seen = 0
            for b, n in steps:
                seen += n
                if seen >= rank:
                    picked.append(round(b * step, 6))
                    break
        result.append((g, total, picked))
    return result
