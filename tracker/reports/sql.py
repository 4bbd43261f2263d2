"""SQL pieces the reports need on both databases: a span in days between two date or time
columns, and nearest-rank quantiles computed by the database over groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Select
from sqlalchemy import case
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
    source: Select, group: str, value: str, percents: Sequence[int]
) -> list[tuple[Any, int, list[float | None]]]:
    """Per group of `source` (a select with columns named `group` and `value`): the number of
    rows and the nearest-rank percentiles of `value` (the smallest value with at least p% of
    the group at or below it). One query; the database ranks and picks."""
    inner = source.subquery("v")
    ranked = select(
        inner.c[group].label("g"),
        inner.c[value].label("v"),
        func.row_number().over(partition_by=inner.c[group], order_by=inner.c[value]).label("rn"),
        func.count().over(partition_by=inner.c[group]).label("n"),
    ).subquery("r")
    # rank = ceil(p * n / 100) in integer arithmetic, the same on both databases
    picks = [
        func.max(case((ranked.c.rn == (p * ranked.c.n + 99) // 100, ranked.c.v))).label(f"p{p}")
        for p in percents
    ]
    rows = db.session.execute(
        select(ranked.c.g, func.max(ranked.c.n), *picks).group_by(ranked.c.g).order_by(ranked.c.g)
    ).all()
    return [
        (row[0], int(row[1]), [None if v is None else float(v) for v in row[2:]]) for row in rows
    ]
