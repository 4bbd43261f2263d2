"""The search box of a staff list: a term any of several columns contains."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import or_


def contains(term: str, *columns: Any) -> ColumnElement[bool]:
    """Any of `columns` contains `term`, in any case; `%`, `_` and `\\` in the term are taken
    literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
