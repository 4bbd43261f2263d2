"""How long a verdict holds: the first day on which a time-based rule could change it.

The engine's verdict on `today` depends on the date only through thresholds: a record's date
compared with today (an instalment falling due, a licence or insurance expiring, a cohort
starting, a leave's expected return, a waiver's last day, a certificate's expiry), the same
dates moved by a number of days of the requirement set (warning windows, sign-off and
verification waits, CE warning and grace), the renewal cycles' ends, and two clocks that
days of leave pause: the cohort's half-way point (pace) and the inactivity threshold, both
found exactly.

Each window is tried only around the dates a rule compares with it: the expiry warning around
the last days of licences, insurances and the certificate, the sign-off and verification wait
around the submission of the records still waiting, the CE windows around the renewal cycles'
ends; every other date is a threshold on its own (a day or two either way).

`holds_until` gathers every such candidate and returns the earliest one after `today`. It is
conservative on purpose: a candidate that changes nothing only costs one early recompute,
while a missed one would leave a wrong verdict standing. The two clocks are followed through
the days of leave (a leave still open stops them). Without any candidate the verdict is still
rechecked after `LONGEST` days.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Iterable
from collections.abc import Mapping
from datetime import date
from datetime import timedelta

from tracker.progress.certification_rules import AT_RISK_DAYS
from tracker.progress.certification_rules import cycles
from tracker.progress.facts import EnrollmentFacts
from tracker.progress.life_rules import paused_days
from tracker.progress.requirements import RequirementSpec
from tracker.progress.training_rules import last_activity

LONGEST = 366
# How far ahead the renewal cycles are laid out to find the ends that could matter.
_CYCLE_REACH = timedelta(days=LONGEST + 1)


def holds_until(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> date:
    """The first date after `today` on which the verdict of `compute(facts, spec, ...)` could
    differ from today's (earlier than needed rather than late)."""
    horizon = today + timedelta(days=LONGEST)
    # Inactivity is not an offset of every date: `_idle_turn` finds its day exactly.
    plain = _offsets()
    expiry = _offsets(spec.expiry_warning_days)
    waiting = _offsets(spec.signoff_wait_days)
    renewal = _offsets(
        spec.expiry_warning_days,
        spec.signoff_wait_days,
        spec.ce_warning_days,
        spec.ce_grace_days,
        AT_RISK_DAYS,
    )
    best = horizon
    for anchors, offsets in (
        (_dates(facts), plain),
        (_expiries(facts), expiry),
        (_submissions(facts), waiting),
        (_cycle_ends(facts, spec, today), renewal),
    ):
        ordinals = sorted({anchor.toordinal() for anchor in anchors})
        for shift in {*offsets, *(-days for days in offsets)}:
            # The first anchor that, moved by `shift` days, falls after today.
            index = bisect_right(ordinals, today.toordinal() - shift)
            if index < len(ordinals):
                candidate = ordinals[index] + shift
                if candidate < best.toordinal() and candidate >= 1:
                    best = date.fromordinal(candidate)
    for turn in (_pace_turn(facts, horizon), _idle_turn(facts, spec, horizon)):
        if turn is not None and today < turn < best:
            best = turn
    return best


def _offsets(*windows: int) -> set[int]:
    """The day counts to try around an anchor: the day itself, the next, and each window with
    a day or two either way (for inclusive and exclusive comparisons alike)."""
    found = {0, 1, 2}
    for days in windows:
        found.update((days - 1, days, days + 1, days + 2))
    return found


def _shift(day: date, days: int) -> date | None:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def _counted(facts: EnrollmentFacts, since: date, days: int, limit: date) -> date | None:
    """The first day on which `days` days since `since` have gone by, the days of leave left
    out (the clock of pace and inactivity); None when that is after `limit` (a leave still
    open pauses the clock for as long as it lasts)."""
    turn = _shift(since, days)
    while turn is not None and turn <= limit:
        later = _shift(since, days + paused_days(facts, since, turn))
        if later is None or later == turn:
            return later
        turn = later
    return None


def _pace_turn(facts: EnrollmentFacts, limit: date) -> date | None:
    """The first day on which more than half the cohort's time is gone (`pace_item`)."""
    start, end = facts.cohort_starts_on, facts.cohort_ends_on
    if start is None or end is None or end <= start:
        return None
    return _counted(facts, start, (end - start).days // 2 + 1, limit)


def _idle_turn(facts: EnrollmentFacts, spec: RequirementSpec, limit: date) -> date | None:
    """The first day on which no activity for `inactivity_days` days shows (`activity_item`)."""
    known = [d for d in (last_activity(facts), facts.admitted_on, facts.cohort_starts_on) if d]
    if not known:
        return None
    return _counted(facts, max(known), spec.inactivity_days, limit)


def _expiries(facts: EnrollmentFacts) -> list[date]:
    """The dates the expiry warnings count `expiry_warning_days` back from: the last days of
    the licences, the insurances and the certificate (the cover that lasts until one of them)."""
    found = [lic.expires_on for lic in facts.licences if lic.expires_on is not None]
    found += [insurance.ends_on for insurance in facts.insurances]
    cert = facts.certificate
    if cert is not None and cert.expires_on is not None:
        found.append(cert.expires_on)
    return found


def _submissions(facts: EnrollmentFacts) -> list[date]:
    """The dates the sign-off and verification waits count from: the submission (or, without
    one, the record's own date) of the entries and sessions still in someone's queue."""
    waiting = [
        entry for entry in (*facts.didactic, *facts.experiential) if entry.status == "pending"
    ]
    waiting += [session for session in facts.sessions if session.status == "submitted"]
    return [record.submitted_on or record.on for record in waiting]


def _cycle_ends(facts: EnrollmentFacts, spec: RequirementSpec, today: date) -> list[date]:
    """The starts and ends of the renewal cycles up to a year or so ahead."""
    try:
        reach = today + _CYCLE_REACH
    except OverflowError:
        reach = date.max
    found = []
    for cycle in cycles(facts, spec, reach):
        found += [cycle.starts_on, cycle.ends_on]
    return found


def _dates(value: object) -> Iterable[date]:
    """Every date held anywhere in `value` (dataclasses, mappings and sequences, walked)."""
    if isinstance(value, date):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _dates(getattr(value, item.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _dates(key)
            yield from _dates(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _dates(item)
