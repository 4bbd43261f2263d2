"""Builders of records for the tests and the demo: a program, an enrollment in any state and the
records each step of the training needs, with defaults a reader can take for granted.

One module per area. A builder goes through the area's service when the service can reach the
state asked for (programs, tracks and cohorts; admissions decisions); otherwise it inserts the
rows the service would have written, for states a service refuses on purpose on a given day
(backdated or already signed entries, an admitted enrollment without its application), and for
the records `flask audit verify` checks against the trail (enrollments, ledger entries,
signatures, certificates) the audit event the service would have recorded with them. Builders
flush and never commit, as services do: the demo commits once, and the tests wrap them with
`committing` because they use them between requests.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import ParamSpec
from typing import TypeVar

from sqlalchemy import func
from sqlalchemy import select

from tracker.core.clock import today_in
from tracker.extensions import db

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
_numbers = itertools.count(1)


def next_number() -> int:
    """A number not used before in this process, for unique names."""
    return next(_numbers)


def day(offset: int, timezone: str = "UTC") -> date:
    """The date `offset` days from today in `timezone`."""
    return today_in(timezone) + timedelta(days=offset)


def at(on: date, hour: int = 17) -> datetime:
    """A moment (UTC) on `on`: late afternoon unless told."""
    return datetime.combine(on, time(hour, 0), UTC)


def added(row: T) -> T:
    """`row` added to the session and flushed, so that it has its id."""
    db.session.add(row)
    db.session.flush()
    return row


def id_of(record: object | None) -> int | None:
    """The record's id, or None for no record (an optional actor or reviewer)."""
    return record.id if record is not None else None


def count(model: type) -> int:
    """How many rows `model`'s table holds (read fresh from the database)."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def committing(builder: Callable[P, R]) -> Callable[P, R]:
    """The builder, committing what it built: for callers between requests, such as tests."""

    @functools.wraps(builder)
    def build(*args: P.args, **kwargs: P.kwargs) -> R:
        result = builder(*args, **kwargs)
        db.session.commit()
        return result

    return build
