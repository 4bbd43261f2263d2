"""What each domain gives the engine: its facts, and the tables whose writes change them.

Standing sits below the domain packages: it never imports them. Each domain's `facts.py`
registers here, when the app factory imports it (`tracker.FACT_MODULES`):

- a contributor: the statements it reads over the selected enrollments (a fixed number, each
  built by a `Read` from the selection and carrying no ORDER BY), and a function that turns
  their rows into the `EnrollmentFacts` fields it fills, per enrollment id. The loader runs the
  statements, one by one for a list or as one combined statement for a single enrollment
  (`combined`), so a contributor never executes anything itself;
- the scope of each table it reads that has no `enrollment_id` column (a trainee's licences,
  a plan's instalments): which column of `enrollments` (or of another table's id) a written row
  names, so that the write marks the right progress snapshots stale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy import Select
from sqlalchemy import select

from tracker.core.clock import program_zone
from tracker.enrollments.models import Enrollment

Contribution = dict[int, dict[str, Any]]


@dataclass(frozen=True)
class Selection:
    """The enrollments being loaded, as a contributor reads them.

    A `Read` sees the subquery `ids` only (its statement is built before any row is read); the
    function that turns rows into facts also sees each enrollment's time zone and trainee.
    """

    ids: Select
    zones: Mapping[int, str] = field(default_factory=dict)
    trainee_of: Mapping[int, int] = field(default_factory=dict)

    @property
    def trainees(self) -> Select:
        """A subquery of the selected enrollments' trainee ids."""
        return select(Enrollment.trainee_id).where(Enrollment.id.in_(self.ids))

    def rows(self, model: Any, *names: str, where: tuple[Any, ...] = ()) -> Select:
        """A statement of `model`'s rows of the selected enrollments: `enrollment_id` and the
        columns `names`, filtered further by `where`."""
        columns = [getattr(model, name) for name in ("enrollment_id", *names)]
        return select(*columns).where(model.enrollment_id.in_(self.ids), *where)

    def local_date(self, enrollment_id: int, moment: datetime | None) -> date | None:
        """A stored time as the date it was where the enrollment's program is."""
        if moment is None:
            return None
        return moment.astimezone(program_zone(self.zones[enrollment_id])).date()


Read = Callable[[Selection], Select]
Rows = Sequence[Any]  # the rows of one read: tuples whose fields are named as selected


@dataclass(frozen=True)
class Contributor:
    """A domain's reads, and the function that makes facts of their rows."""

    name: str
    reads: tuple[Read, ...]
    build: Callable[..., Contribution]


class Gathered:
    """Facts gathered one by one into lists per enrollment and field, handed to the engine as
    tuples (an enrollment with none of them gets the engine's default)."""

    def __init__(self) -> None:
        self._found: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))

    def add(self, enrollment_id: int, name: str, fact: Any) -> None:
        """Add `fact` to the field `name` of the enrollment."""
        self._found[enrollment_id][name].append(fact)

    def contribution(self) -> Contribution:
        """The gathered lists as tuples, per enrollment id."""
        return {
            enrollment_id: {name: tuple(values) for name, values in lists.items()}
            for enrollment_id, lists in self._found.items()
        }


_CONTRIBUTORS: dict[str, Contributor] = {}
_SCOPES: dict[str, tuple[tuple[str, Column], ...]] = {}
Build = Callable[..., Contribution]


def contributor(*reads: Read) -> Callable[[Build], Build]:
    """Register a domain's contributor: a decorator of the function that, given the selection
    and the rows of each of `reads` (one argument per read, in order), returns the facts per
    enrollment id. Registering the same function again replaces it."""

    def register(build: Build) -> Build:
        name = f"{build.__module__}.{build.__qualname__}"
        _CONTRIBUTORS[name] = Contributor(name, reads, build)
        return build

    return register


def watch(table: str, *pairs: tuple[str, Column]) -> None:
    """Declare a table the engine reads without an `enrollment_id` column.

    Each pair is (a column of `table`, the column its value matches): a column of `enrollments`
    selects those enrollments, another table's `id` selects that table's `enrollment_id`.
    """
    _SCOPES[table] = tuple(pairs)


def contributors() -> tuple[Contributor, ...]:
    """Every registered contributor, in the order the domains registered."""
    return tuple(_CONTRIBUTORS.values())


def watched() -> dict[str, tuple[tuple[str, Column], ...]]:
    """The tables declared with `watch`, and their scopes."""
    return dict(_SCOPES)


def statements(selection: Selection) -> list[Select]:
    """Every contributor's statements over the selection, in registration order."""
    return [read(selection) for found in contributors() for read in found.reads]


def _in_order(row: Sequence[Any]) -> tuple:
    """A row's place in a fixed order of its values (None first in each column): a read has no
    ORDER BY and the database may return its rows in any order, which would otherwise reach the
    facts (one enrollment read in a union and in a list must give equal facts on either
    database)."""
    return tuple((value is not None, value) if value is not None else (False, 0) for value in row)


def contribute(selection: Selection, rows: Sequence[Rows]) -> dict[int, dict[str, Any]]:
    """Every contributor's fields per enrollment id, from the rows of `statements(selection)`
    (in the same order).

    A tuple field two domains fill is joined in registration order (an application's documents,
    then the licence and insurance documents of the eligibility records); any other field is
    filled by one domain only.
    """
    merged: dict[int, dict[str, Any]] = {}
    given = iter(rows)
    for found in contributors():
        own = [sorted(next(given), key=_in_order) for _read in found.reads]
        for enrollment_id, values in found.build(selection, *own).items():
            fields = merged.setdefault(enrollment_id, {})
            for name, value in values.items():
                if name not in fields:
                    fields[name] = value
                elif isinstance(value, tuple) and isinstance(fields[name], tuple):
                    fields[name] = fields[name] + value
                else:
                    raise ValueError(f"two contributors fill the fact {name!r}")
    return merged
