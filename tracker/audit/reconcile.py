"""Cross-checking the current state against the audit trail: what the rows say against what the
trail's events imply.

The hash chain proves the trail was not edited; it cannot tell whether a row was changed beside
it (an insider with write access to the tables can un-revoke a certificate and write no event).
Each domain whose state matters replays its own events here: a `Replay` registered with
`@replays` (its module is imported by the app factory, `tracker.TRAIL_MODULES`) is fed, in
order, every event about its object types, then streams its live rows and says where they
differ from what the events imply. The audit package never imports the domains.

`reconcile()` reads everything in one snapshot of the database (a REPEATABLE READ, read-only
transaction on PostgreSQL; a SQLite read transaction is one), in a fixed number of streamed
queries whatever the size of the trail: memory grows with the number of records checked, not
with the number of events.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import ClassVar
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit.models import AuditEvent
from tracker.extensions import db

BATCH = 2000  # rows fetched at a time from a streamed query
T = TypeVar("T")


@dataclass(frozen=True)
class Discrepancy:
    """One record whose current state differs from what the audit trail implies."""

    object_type: str
    object_id: str
    state: str  # what the database holds now
    trail: str  # what the trail's events imply
    reason: str  # in plain words, what differs

    def __str__(self) -> str:
        return (
            f"{self.object_type} {self.object_id}: {self.reason} "
            f"(the database says {self.state}; the trail implies {self.trail})"
        )


@dataclass(frozen=True)
class TrailEvent:
    """An event as a replay reads it: its after parsed, and whether it removed the object
    (recorded by `deleted`: a before and no after)."""

    id: int
    action: str
    object_id: str | None
    after: Any
    removed: bool


class Replay:
    """One domain's replay of its events: `replay` is called with each event about one of
    `object_types`, in the trail's order; `differences` then compares the live rows (read
    through `session`) with what the events implied."""

    object_types: ClassVar[tuple[str, ...]] = ()

    def replay(self, event: TrailEvent) -> None:
        """Take one event into account."""
        raise NotImplementedError

    def differences(self, session: Session) -> Iterator[Discrepancy]:
        """Every discrepancy between the rows and the events replayed."""
        raise NotImplementedError


class StatusReplay(Replay):
    """A replay of one status per object: each event that records a status (`recorded`) sets
    it, a removal forgets it; `status` is then what the trail implies of each object."""

    def __init__(self) -> None:
        self.status: dict[str, str] = {}

    def recorded(self, after: Any) -> str | None:
        """The status an event's after gives the object (None when it says nothing of it)."""
        raise NotImplementedError

    def replay(self, event: TrailEvent) -> None:
        """Keep the status the event recorded, if it recorded one."""
        if event.object_id is None:
            return
        if event.removed:
            self.status.pop(event.object_id, None)
            return
        status = self.recorded(event.after)
        if status is not None:
            self.status[event.object_id] = status


_REPLAYS: dict[str, type[Replay]] = {}


def replays(cls: type[Replay]) -> type[Replay]:
    """Register a domain's replay (a class decorator; registering again replaces it)."""
    _REPLAYS[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return cls


def registered() -> tuple[type[Replay], ...]:
    """Every registered replay, in the order the domains registered."""
    return tuple(_REPLAYS.values())


def reconcile() -> list[Discrepancy]:
    """Replay the trail and return every record whose state differs from what it implies."""
    if not _REPLAYS:
        raise RuntimeError("no replay is registered: build the app with tracker.create_app")
    with _snapshot() as session:
        runs = [cls() for cls in registered()]
        readers: dict[str, list[Replay]] = {}
        for run in runs:
            for object_type in run.object_types:
                readers.setdefault(object_type, []).append(run)
        for object_type, event in _events(session, tuple(readers)):
            for run in readers[object_type]:
                run.replay(event)
        return [found for run in runs for found in run.differences(session)]


@contextmanager
def _snapshot() -> Iterator[Session]:
    """A session of its own that reads one snapshot of the database and writes nothing."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with Session(bind=connection, autoflush=False) as session:
            try:
                yield session
            finally:
                session.rollback()


def _events(session: Session, object_types: tuple[str, ...]) -> Iterator[tuple[str, TrailEvent]]:
    """The events about `object_types`, oldest first, streamed."""
    stmt = (
        select(
            AuditEvent.id,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.after,
            AuditEvent.before.is_not(None).label("had_before"),
        )
        .where(AuditEvent.object_type.in_(object_types))
        .order_by(AuditEvent.id)
    )
    for row in stream(session, stmt):
        after = json.loads(row.after) if row.after is not None else None
        removed = bool(row.had_before) and after is None
        yield row.object_type, TrailEvent(row.id, row.action, row.object_id, after, removed)


def stream(session: Session, stmt: Select) -> Iterator[Any]:
    """The rows of `stmt`, fetched a batch at a time (a server-side cursor on PostgreSQL)."""
    yield from session.execute(stmt.execution_options(yield_per=BATCH))


def moment(value: Any) -> datetime | None:
    """A recorded time (ISO text, as events hold it, or a datetime) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def compare(
    object_type: str,
    implied: dict[str, T],
    rows: Iterable[tuple[Any, T]],
    describe: Callable[[T], str],
    what: str,
) -> Iterator[Discrepancy]:
    """Compare each row's (id, value) with the value the trail implied for that id.

    `implied` is consumed: what is left at the end names records the trail knows of and the
    database no longer holds. `what` names the compared value in the reasons ("status").
    """
    for row_id, value in rows:
        key = str(row_id)
        if key not in implied:
            yield Discrepancy(
                object_type,
                key,
                describe(value),
                "no such record",
                "written behind the application: no event in the trail records it",
            )
            continue
        expected = implied.pop(key)
        if expected != value:
            yield Discrepancy(
                object_type,
                key,
                describe(value),
                describe(expected),
                f"{what} changed without an event",
            )
    for key, expected in implied.items():
        yield Discrepancy(
            object_type,
            key,
            "no such record",
            describe(expected),
            "deleted behind the application: the trail records it and no event removed it",
        )
