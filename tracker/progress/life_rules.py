"""An enrollment's life: which state it is in on a day, how long its clocks were paused, and the
items a leave of absence brings.

States (`LIFE_STATES`), decided in this order:

- `withdrawn` and `declined` follow the enrollment's status;
- `applying` until staff admit the applicant;
- `on_leave` while a leave of absence covers today (from its start until staff record the
  return, even past the expected return date: that is flagged, not assumed);
- `deferred` while the enrollment was deferred to a cohort that has not started yet;
- otherwise `active`.

On leave, the pace and inactivity clocks stop: no `pace.behind` or `activity.none_recent` item
arises, and once the trainee is back the days of every leave are left out of both clocks. The
trainee sees the leave and its expected end (`leave.current`); once the expected return has
passed without a recorded return, staff see `leave.return_overdue`.
"""

from __future__ import annotations

from datetime import date

from tracker.progress.facts import ADMITTED
from tracker.progress.facts import DECLINED
from tracker.progress.facts import WITHDRAWN
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.facts import Leave
from tracker.progress.items import OutstandingItem
from tracker.progress.items import new_item
from tracker.progress.text import day

ACTIVE = "active"
ON_LEAVE = "on_leave"
DEFERRED = "deferred"
APPLYING = "applying"
LIFE_STATES = (ACTIVE, ON_LEAVE, DEFERRED, "withdrawn", "declined", APPLYING)
LIFE_STATE_LABELS = {
    ACTIVE: "Active",
    ON_LEAVE: "On leave",
    DEFERRED: "Deferred",
    "withdrawn": "Withdrawn",
    "declined": "Declined",
    APPLYING: "Applying",
}


def current_leave(facts: EnrollmentFacts, today: date) -> Leave | None:
    """The leave of absence that covers `today`, if any (the latest started, should two)."""
    covering = [leave for leave in facts.leaves if leave.covers(today)]
    return max(covering, key=lambda leave: leave.starts_on) if covering else None


def life_state(facts: EnrollmentFacts, today: date) -> str:
    """The enrollment's state on `today` (one of `LIFE_STATES`)."""
    if facts.status == WITHDRAWN:
        return "withdrawn"
    if facts.status == DECLINED:
        return "declined"
    if facts.status != ADMITTED:
        return APPLYING
    if current_leave(facts, today) is not None:
        return ON_LEAVE
    start = facts.cohort_starts_on
    if facts.deferred and start is not None and today < start:
        return DEFERRED
    return ACTIVE


def paused_days(facts: EnrollmentFacts, start: date, end: date) -> int:
    """The days in [start, end) that a leave of absence paused (leaves never overlap; should
    two be recorded over the same days, each day still counts once)."""
    if end <= start:
        return 0
    if len(facts.leaves) == 1:
        return facts.leaves[0].days_between(start, end)
    paused = set()
    for leave in facts.leaves:
        first = max(leave.starts_on, start)
        last = min(leave.returned_on or end, end)
        paused.update(first.toordinal() + n for n in range(max(0, (last - first).days)))
    return len(paused)


def leave_items(facts: EnrollmentFacts, today: date, step: int) -> list[OutstandingItem]:
    """The current leave (information for the trainee) and, once its expected return has passed
    with no return recorded, the overdue return (for staff), on `step`."""
    leave = current_leave(facts, today)
    if leave is None or facts.status != ADMITTED:
        return []
    key = str(leave.id) if leave.id is not None else leave.starts_on.isoformat()
    items = [
        new_item(
            "leave.current",
            f"On leave of absence since {day(leave.starts_on)}, expected back on "
            f"{day(leave.expected_return_on)}.",
            step=step,
            key=key,
        )
    ]
    if today > leave.expected_return_on:
        late = (today - leave.expected_return_on).days
        items.append(
            new_item(
                "leave.return_overdue",
                f"Expected back from leave on {day(leave.expected_return_on)} ({late} "
                f"day{'s' if late != 1 else ''} ago): record the return or a new leave.",
                step=step,
                key=key,
                due_on=leave.expected_return_on,
                waiting_since=leave.expected_return_on,
            )
        )
    return items
