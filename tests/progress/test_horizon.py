"""The date a verdict holds until: on every day before it the engine says the same."""

from __future__ import annotations

import dataclasses
from datetime import date
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests.progress.test_engine_properties import FIELDS
from tests.progress.test_engine_properties import SETTINGS
from tests.progress.test_engine_properties import SPECS
from tests.progress.test_engine_properties import WAIVER_KEYS
from tests.progress.test_engine_properties import _changes
from tests.progress.test_engine_properties import _spec
from tests.progress.test_engine_properties import dates
from tests.progress.test_engine_properties import near_complete_facts
from tracker.progress import EnrollmentFacts
from tracker.progress import Insurance
from tracker.progress import compute
from tracker.progress.facts import Leave
from tracker.progress.horizon import LONGEST
from tracker.progress.horizon import holds_until

# Short windows and waits put many thresholds close together.
HORIZON_SPECS = [
    *SPECS,
    _spec(
        expiry_warning_days=3,
        signoff_wait_days=2,
        inactivity_days=5,
        ce_warning_days=10,
        ce_grace_days=4,
        ce_cycle_months=3,
    ),
    _spec(expiry_warning_days=0, signoff_wait_days=1, inactivity_days=1, ce_grace_days=0),
]


@st.composite
def leaves(draw) -> Leave:
    """A leave of absence, returned or still open."""
    start = draw(dates)
    expected = start + timedelta(days=draw(st.integers(1, 120)))
    returned = draw(st.none() | st.integers(0, 150).map(lambda n: start + timedelta(days=n)))
    return Leave(start, expected, returned)


EXTRA = {
    "leaves": st.lists(leaves(), max_size=2).map(tuple),
    "waiver_last_days": st.dictionaries(st.sampled_from(WAIVER_KEYS), dates, max_size=3),
    "deferred": st.booleans(),
}
ALL_FIELDS = {**FIELDS, **EXTRA}


@st.composite
def horizon_facts(draw, enrollments) -> EnrollmentFacts:
    """Facts at random (leaves, waivers' last days and deferrals too), or a built enrollment
    with a few fields changed."""
    if draw(st.booleans()):
        values = {name: draw(field) for name, field in ALL_FIELDS.items()}
        waivers = {**values["waivers"], **dict.fromkeys(values["waiver_last_days"], "Staff")}
        values["waivers"] = waivers
        return EnrollmentFacts(**_changes(values))
    base = draw(near_complete_facts(enrollments))
    names = draw(st.sets(st.sampled_from(sorted(EXTRA)), max_size=2))
    changes = {name: draw(EXTRA[name]) for name in names}
    if "waiver_last_days" in changes:
        keys = changes["waiver_last_days"]
        changes["waivers"] = {**base.waivers, **dict.fromkeys(keys, "Staff")}
    return dataclasses.replace(base, **changes)


def verdict(progress) -> tuple:
    """What a list shows and filters on: statuses, fractions, items, certificate, state."""
    return (
        tuple((s.number, str(s.status), s.fraction) for s in progress.steps),
        tuple(
            (i.code, i.key, str(i.severity), str(i.actor), i.due_on, i.step) for i in progress.items
        ),
        progress.fraction,
        progress.next_due_on,
        progress.certificate_status,
        progress.ready_for_certificate,
        progress.state,
    )


todays = st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31))


@SETTINGS
@given(data=st.data(), spec=st.sampled_from(HORIZON_SPECS), today=todays)
def test_the_verdict_holds_until_the_date_the_engine_gives(enrollments, data, spec, today):
    """On any day from today to the day before `holds_until`, the verdict is today's."""
    facts = data.draw(horizon_facts(enrollments))
    progress = compute(facts, spec, today)
    until = progress.holds_until
    assert until is not None and today < until <= today + timedelta(days=LONGEST)
    span = (until - today).days
    seen = verdict(progress)
    days = {span - 1, *data.draw(st.lists(st.integers(0, span - 1), max_size=4))}
    for offset in sorted(days):
        later = today + timedelta(days=offset)
        assert verdict(compute(facts, spec, later)) == seen, (offset, span)


@SETTINGS
@given(data=st.data(), spec=st.sampled_from(HORIZON_SPECS), today=todays)
def test_a_page_that_skips_the_horizon_gets_the_same_progress(enrollments, data, spec, today):
    """`horizon=False` (pages that show the verdict) changes nothing but `holds_until`."""
    facts = data.draw(horizon_facts(enrollments))
    full = compute(facts, spec, today)
    shown = compute(facts, spec, today, horizon=False)
    assert shown.holds_until is None
    assert shown == dataclasses.replace(full, holds_until=None)


def test_without_dates_the_verdict_holds_for_the_longest_span():
    """Facts without a single date hold until `LONGEST` days ahead (checked again then)."""
    today = date(2025, 6, 1)
    assert holds_until(EnrollmentFacts(), SPECS[0], today) == today + timedelta(days=LONGEST)


def test_an_insurance_ending_sets_the_date_near_its_warning_window():
    """An insurance ending in 100 days holds the verdict until about its warning window opens
    (`expiry_warning_days` before the end), not just until tomorrow."""
    today = date(2025, 6, 1)
    spec = SPECS[0]
    ends = today + timedelta(days=100)
    facts = EnrollmentFacts(insurances=(Insurance(date(2025, 1, 1), ends, True),))
    until = compute(facts, spec, today).holds_until
    warning_opens = ends - timedelta(days=spec.expiry_warning_days)
    assert warning_opens - timedelta(days=3) <= until <= warning_opens


def _walk(facts, spec, start: date, days: int) -> list[date]:
    """Follow the dates from `start` for `days` days, checking every day in between; returns
    the dates met."""
    met = []
    today = start
    progress = compute(facts, spec, today)
    for offset in range(1, days):
        day = start + timedelta(days=offset)
        if day == progress.holds_until:
            met.append(day)
            progress = compute(facts, spec, day)
            continue
        assert verdict(compute(facts, spec, day)) == verdict(progress), day
    return met


def test_a_leave_delays_the_inactivity_warning_and_the_dates_follow(enrollments):
    """Ten days of leave push `activity.none_recent` ten days later; walking the dates day by
    day never misses the change."""
    start = date(2025, 1, 6)
    spec = SPECS[0]
    facts = dataclasses.replace(
        enrollments.admitted(start),
        admitted_on=start,
        cohort_starts_on=start,
        cohort_ends_on=start + timedelta(days=400),
        didactic=(),
        experiential=(),
        sessions=(),
        case_presentations=(),
        exam_attempts=(),
        leaves=(
            Leave(
                start + timedelta(days=5), start + timedelta(days=20), start + timedelta(days=15)
            ),
        ),
    )
    turn = start + timedelta(days=spec.inactivity_days + 10)
    assert "activity.none_recent" not in compute(facts, spec, turn - timedelta(days=1)).codes
    assert "activity.none_recent" in compute(facts, spec, turn).codes
    assert turn in _walk(facts, spec, start, 120)
