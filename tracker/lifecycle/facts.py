"""An enrollment's life as the progress engine reads it: its leaves of absence and whether its
last move to another cohort was a deferral, for the enrollment loader."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import Select

from tracker.lifecycle.models import EnrollmentChange
from tracker.progress import facts as f
from tracker.standing.contributors import Contribution
from tracker.standing.contributors import Rows
from tracker.standing.contributors import Selection
from tracker.standing.contributors import contributor


def leaves_of(
    changes: list[tuple[int, str, date, date | None, int | None]],
) -> tuple[f.Leave, ...]:
    """The pauses that one enrollment's changes (id, kind, effective date, expected return,
    leave named) describe, in the order they were recorded: a leave, moved by an extension and
    ended by a return or a withdrawal; and the time between a withdrawal and a readmission,
    which the clocks leave out too (a closed pause whose id is "w" and the withdrawal's)."""
    started: dict[int | str, dict] = {}
    withdrawn: tuple[int, date] | None = None
    for change_id, kind, effective_on, expected, leave_id in sorted(changes):
        if kind == "leave" and expected is not None:
            started[change_id] = {"starts_on": effective_on, "expected_return_on": expected}
        elif kind == "leave_extended" and leave_id in started and expected is not None:
            started[leave_id]["expected_return_on"] = expected
        elif kind == "returned" and leave_id in started:
            started[leave_id]["returned_on"] = effective_on
        elif kind == "withdrawn":
            for values in started.values():
                if "returned_on" not in values:
                    values["returned_on"] = max(effective_on, values["starts_on"])
            withdrawn = (change_id, effective_on)
        elif kind == "readmitted" and withdrawn is not None:
            if effective_on > withdrawn[1]:
                started[f"w{withdrawn[0]}"] = {
                    "starts_on": withdrawn[1],
                    "expected_return_on": effective_on,
                    "returned_on": effective_on,
                }
            withdrawn = None
    return tuple(f.Leave(id=change_id, **values) for change_id, values in started.items())


def _changes(selection: Selection) -> Select:
    return selection.rows(
        EnrollmentChange, "id", "kind", "effective_on", "expected_return_on", "leave_id"
    )


@contributor(_changes)
def life_contribution(selection: Selection, change_rows: Rows) -> Contribution:
    """Per selected enrollment with changes: its leaves and whether it stands deferred (one
    statement)."""
    changes: dict[int, list] = defaultdict(list)
    moves: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in change_rows:
        enrollment_id, change_id, kind, effective_on, expected, leave_id = row
        if kind in ("leave", "leave_extended", "returned", "withdrawn", "readmitted"):
            changes[enrollment_id].append((change_id, kind, effective_on, expected, leave_id))
        elif kind in ("deferred", "transferred"):
            moves[enrollment_id].append((change_id, kind))
    result: Contribution = {}
    for enrollment_id in set(changes) | set(moves):
        values: dict = {}
        if changes.get(enrollment_id):
            values["leaves"] = leaves_of(changes[enrollment_id])
        if moves.get(enrollment_id) and max(moves[enrollment_id])[1] == "deferred":
            values["deferred"] = True
        result[enrollment_id] = values
    return result
