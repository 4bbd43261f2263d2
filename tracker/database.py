"""Engine settings per database: SQLite pragmas and write transactions that take the lock early."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import has_request_context
from flask import request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

_WRITING: ContextVar[bool] = ContextVar("writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Open the next transaction as a writer (BEGIN IMMEDIATE on SQLite), even in a GET request.

    For the few reads that maintain derived data (progress snapshots): they read, then write,
    and on SQLite a read transaction that tries to write after another worker committed fails
    at once instead of waiting.
    """
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


def configure_engine_events(engine: Engine) -> None:
    """Turn on foreign keys, WAL and a busy timeout on every SQLite connection.

    A request that writes opens its transaction with BEGIN IMMEDIATE: two workers then queue for
    the write lock (up to the busy timeout) instead of failing when one upgrades a stale read.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        writes = _WRITING.get() or (
            has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def listen_to_sessions(**listeners: Callable[..., Any]) -> None:
    """Add each listener (keyed by its event's name) to every SQLAlchemy session, once: the app
    may be built many times in one process (the tests), the listeners stay registered."""
    for name, function in listeners.items():
        if not event.contains(Session, name, function):
            event.listen(Session, name, function)
