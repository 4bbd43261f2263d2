"""Standing: where each enrollment stands today, as the progress engine judges it.

The one place that loads an enrollment's records (each domain's `facts.py` says what of its data
the engine reads), works out the program's today in its time zone and runs the engine. Pages,
digests, lists and commands ask `assess` or `assess_one`; none of them loads facts or calls the
engine itself. The stored snapshots behind the staff lists (`snapshots`) hold the same results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select

from tracker.core.clock import today_in
from tracker.progress import Progress
from tracker.progress import compute
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.requirements import RequirementSpec
from tracker.standing.loader import EnrollmentRow
from tracker.standing.loader import LoadedEnrollment
from tracker.standing.loader import load_enrollment
from tracker.standing.loader import load_enrollments


@dataclass(frozen=True)
class Standing:
    """An enrollment's row, facts, requirement set, its program's today and the engine's result.

    `progress` is None while the enrollment has no requirement set (no track chosen yet).
    """

    row: EnrollmentRow
    facts: EnrollmentFacts
    spec: RequirementSpec | None
    today: date
    progress: Progress | None


def _judge(loaded: LoadedEnrollment, today: date | None, horizon: bool = True) -> Standing:
    day = today if today is not None else today_in(loaded.row.timezone)
    progress = (
        compute(loaded.facts, loaded.spec, day, horizon=horizon)
        if loaded.spec is not None
        else None
    )
    return Standing(loaded.row, loaded.facts, loaded.spec, day, progress)


def assess(ids: Select, today: date | None = None, *, horizon: bool = True) -> list[Standing]:
    """The standing of every enrollment the subquery `ids` selects, in id order.

    A fixed number of queries whatever the number of enrollments. `today` defaults to each
    program's own today (its time zone); pass a day to judge them all on it (digests). With
    `horizon` False the progress leaves `holds_until` None (see `compute`): for pages, which
    show the verdict and never store it.
    """
    return [_judge(loaded, today, horizon) for loaded in load_enrollments(ids)]


def assess_one(enrollment_id: int | None, today: date | None = None) -> Standing | None:
    """One enrollment's standing (None when there is no such enrollment), in one query."""
    if enrollment_id is None:
        return None
    loaded = load_enrollment(enrollment_id)
    return _judge(loaded, today) if loaded is not None else None


__all__ = ["EnrollmentRow", "LoadedEnrollment", "Standing", "assess", "assess_one"]
