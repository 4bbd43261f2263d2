"""Several SELECTs of different shapes read as one statement.

The loader reads every record type with a statement of its own: right for a list, where each
statement covers thousands of enrollments, but a score of round trips for one enrollment. For
one, `Combined` sends the same statements as a single UNION ALL. Each statement becomes a branch
whose first column (`part`) says which statement a row answers; its values sit in columns shared
by type (the n-th date of every branch shares one column), and the columns a branch does not
use are typed NULLs. Every column of the union thus has one SQL type, which both SQLite and
PostgreSQL accept, and SQLAlchemy converts each value as its own column would (a date from
SQLite's text, an aware UTC time, exact hours).

A branch of a union cannot be ordered: a statement given here carries no ORDER BY (its reader
sorts what needs an order).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import cast
from sqlalchemy import literal_column
from sqlalchemy import null
from sqlalchemy import union_all
from sqlalchemy.types import NullType
from sqlalchemy.types import TypeEngine


def _kind(type_: TypeEngine) -> tuple:
    """What a column must share with another to be read from the same column of the union:
    its type, and what changes how a value is converted (a scale, a time zone)."""
    if isinstance(type_, NullType):
        raise TypeError("a combined statement needs a type on every column (use type_coerce)")
    return (
        type(type_),
        getattr(type_, "scale", None),
        getattr(type_, "asdecimal", None),
        getattr(type_, "timezone", None),
    )


class Combined:
    """One UNION ALL standing for `statements`; `split` gives back each statement's rows."""

    def __init__(self, statements: Sequence[Select]) -> None:
        """Lay every statement's columns out over typed columns shared between them."""
        types: dict[tuple, list[TypeEngine]] = {}
        layouts: list[list[tuple[tuple, int]]] = []
        self._shapes = []
        for statement in statements:
            used: dict[tuple, int] = {}
            layout = []
            for column in statement.selected_columns:
                kind = _kind(column.type)
                position = used.get(kind, 0)
                used[kind] = position + 1
                if position == len(types.setdefault(kind, [])):
                    types[kind].append(column.type)
                layout.append((kind, position))
            layouts.append(layout)
            self._shapes.append(namedtuple("Row", statement.selected_columns.keys(), rename=True))
        slots = [(kind, n) for kind, found in types.items() for n in range(len(found))]
        index = {slot: i + 1 for i, slot in enumerate(slots)}
        self._positions = [tuple(index[slot] for slot in layout) for layout in layouts]
        branches = []
        for part, (statement, layout) in enumerate(zip(statements, layouts, strict=True)):
            values: list[Any] = [cast(null(), types[kind][n]) for kind, n in slots]
            for column, slot in zip(statement.selected_columns, layout, strict=True):
                values[index[slot] - 1] = column
            branches.append(
                statement.with_only_columns(
                    literal_column(str(part), Integer).label("part"),
                    *(value.label(f"c{i}") for i, value in enumerate(values, 1)),
                    maintain_column_froms=True,
                )
            )
        self.statement = union_all(*branches) if len(branches) > 1 else branches[0]

    def split(self, rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
        """The rows of the combined statement, back as each statement's own rows."""
        found: list[list[Any]] = [[] for _ in self._positions]
        for row in rows:
            part = row[0]
            found[part].append(self._shapes[part]._make(row[i] for i in self._positions[part]))
        return found
