"""A trainee's pace over time: the hours logged week by week since the cohort started, the
expected pace beside them, and when the program's total would be reached at the pace so far.

Hours count as the `pace.behind` rule counts them (`hours_done`: logged and not returned, no
personal sessions), and time as it measures it: days on leave of absence are not time gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from decimal import Decimal

from tracker.progress.facts import EnrollmentFacts
from tracker.progress.life_rules import paused_days
from tracker.progress.requirements import RequirementSpec
from tracker.progress.training_rules import PACE_UNCOUNTED_KINDS
from tracker.progress.training_rules import PACE_UNCOUNTED_STATUSES
from tracker.progress.training_rules import hours_done

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class PacePoint:
    """The end of one week since the cohort's start: hours logged by then, and expected."""

    week: int
    ends_on: date
    logged: Decimal
    expected: Decimal


@dataclass(frozen=True)
class PaceOverTime:
    """The weeks so far, the total asked, the hours logged now, the hours per week so far
    (leave excluded), and the day the total would be reached at that pace (None when nothing
    is logged yet; `reached` when it already is)."""

    points: tuple[PacePoint, ...]
    total: Decimal
    logged: Decimal
    per_week: Decimal
    projected_on: date | None
    reached: bool
    cohort_ends_on: date


def _counted(facts: EnrollmentFacts) -> list[tuple[date, Decimal]]:
    entries = [(e.on, e.hours) for e in facts.didactic if e.status not in PACE_UNCOUNTED_STATUSES]
    entries += [
        (e.on, e.hours)
        for e in facts.experiential
        if e.status not in PACE_UNCOUNTED_STATUSES and e.kind not in PACE_UNCOUNTED_KINDS
    ]
    return sorted(entries)


def pace_over_time(
    facts: EnrollmentFacts, spec: RequirementSpec, today: date
) -> PaceOverTime | None:
    """The pace of an enrollment from its cohort's start to `today` (None without a cohort,
    before the cohort starts, or with no hours to reach)."""
    start, end = facts.cohort_starts_on, facts.cohort_ends_on
    total = spec.program_total_hours
    if start is None or end is None or end <= start or today < start or total <= 0:
        return None
    entries = _counted(facts)
    span = (end - start).days
    points = []
    week = 1
    while True:
        ends_on = min(start + WEEK * week - timedelta(days=1), today)
        logged = sum((h for on, h in entries if on <= ends_on), Decimal(0))
        elapsed = min((ends_on - start).days + 1, span)
        expected = min(total, (total * elapsed / span).quantize(Decimal("0.1")))
        points.append(PacePoint(week, ends_on, logged, expected))
        if ends_on >= today:
            break
        week += 1
    done = hours_done(facts)
    tomorrow = today + timedelta(days=1)
    gone = max((tomorrow - start).days - paused_days(facts, start, tomorrow), 1)
    per_day = done / gone
    reached = done >= total
    projected = None
    if not reached and per_day > 0:
        projected = today + timedelta(days=int(((total - done) / per_day).to_integral_value()))
    return PaceOverTime(
        points=tuple(points),
        total=total,
        logged=done,
        per_week=(per_day * 7).quantize(Decimal("0.1")),
        projected_on=projected,
        reached=reached,
        cohort_ends_on=end,
    )
