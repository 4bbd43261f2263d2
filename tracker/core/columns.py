"""Model pieces several tables declare the same way: partial unique indexes, timestamps and
labels of coded columns."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tracker.extensions import UTCDateTime
from tracker.extensions import utcnow


def unique_where(name: str, *columns: str, where: str) -> Index:
    """A UNIQUE index over `columns` among the rows where `where` holds (the current ones)."""
    # Both databases support partial indexes; the same predicate is given to each dialect.
    return Index(
        name,
        *columns,
        unique=True,
        sqlite_where=text(where),
        postgresql_where=text(where),
    )


class Timestamps:
    """When the row was created, and when a service last changed it (None until then)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AutoTimestamps:
    """When the row was created and last written; `updated_at` follows every UPDATE."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def label_of(column: str, labels: Mapping[Any, str]) -> property:
    """A read-only property: the code in `column` as a person reads it (the code if unknown)."""

    def label(self: Any) -> str:
        value = getattr(self, column)
        return labels.get(value, value)

    return property(label)
