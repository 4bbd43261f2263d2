"""What each domain gives the engine: its facts, and the tables whose writes change them.

Standing sits below the domain packages: it never imports them. Each domain's `facts.py`
registers here, when the app factory imports it (`tracker.FACT_MODULES`):

- a contributor: given the selected enrollments, it reads its records in a fixed number of
  queries and returns, per enrollment id, the `EnrollmentFacts` fields it fills;
- the scope of each table it reads that has no `enrollment_id` column (a trainee's licences,
  a plan's instalments): which column of `enrollments` (or of another table's id) a written row
  names, so that the write marks the right progress snapshots stale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy import Select
from sqlalchemy import select

from tracker.core.clock import program_zone
from tracker.enrollments.models import Enrollment
from tracker.extensions import db

Contribution = dict[int, dict[str, Any]]


@dataclass(frozen=True)
class Selection:
    """The enrollments being loaded, as a contributor reads them."""

    ids: Select
    zones: Mapping[int, str]
    trainee_of: Mapping[int, int]

    @property
    def trainees(self) -> Select:
        """A subquery of the selected enrollments' trainee ids."""
        return select(Enrollment.trainee_id).where(Enrollment.id.in_(self.ids))

    def rows(self, model: Any, *names: str, where: tuple[Any, ...] = ()) -> Any:
        """`model`'s rows of the selected enrollments: `enrollment_id` and the columns `names`,
        filtered further by `where`."""
        columns = [getattr(model, name) for name in ("enrollment_id", *names)]
        return db.session.execute(select(*columns).where(model.enrollment_id.in_(self.ids), *where))

    def local_date(self, enrollment_id: int, moment: datetime | None) -> date | None:
        """A stored time as the date it was where the enrollment's program is."""
        if moment is None:
            return None
        return moment.astimezone(program_zone(self.zones[enrollment_id])).date()


Contributor = Callable[[Selection], Contribution]


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


def contributor(function: Contributor) -> Contributor:
    """Register a domain's contributor (a decorator; registering again replaces it)."""
    _CONTRIBUTORS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


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


def contribute(selection: Selection) -> dict[int, dict[str, Any]]:
    """Every contributor's fields per enrollment id.

    A tuple field two domains fill is joined in registration order (an application's documents,
    then the licence and insurance documents of the eligibility records); any other field is
    filled by one domain only.
    """
    merged: dict[int, dict[str, Any]] = {}
    for function in contributors():
        for enrollment_id, values in function(selection).items():
            fields = merged.setdefault(enrollment_id, {})
            for name, value in values.items():
                if name not in fields:
                    fields[name] = value
                elif isinstance(value, tuple) and isinstance(fields[name], tuple):
                    fields[name] = fields[name] + value
                else:
                    raise ValueError(f"two contributors fill the fact {name!r}")
    return merged
