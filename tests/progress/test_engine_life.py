"""An enrollment's life in the engine: its state on a day, paused clocks during a leave of
absence, the leave's items, and no overdue training item while withdrawn or on leave."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from tracker.progress import Certificate
from tracker.progress import compute
from tracker.progress.facts import Leave
from tracker.progress.life_rules import life_state
from tracker.progress.life_rules import paused_days

TODAY = date(2025, 6, 1)
OVERDUE_TRAINING = {"pace.behind", "activity.none_recent"}


def days(n: int) -> date:
    """The date `n` days from TODAY (negative: before)."""
    return TODAY + timedelta(days=n)


# name -> (stage, changes to the facts, expected state)
STATES = {
    "admitted, no leave": ("admitted", {}, "active"),
    "leave under way": ("admitted", {"leaves": (Leave(days(-5), days(20)),)}, "on_leave"),
    "leave past its expected return, no return recorded": (
        "admitted",
        {"leaves": (Leave(days(-40), days(-3)),)},
        "on_leave",
    ),
    "leave ended by a return": (
        "admitted",
        {"leaves": (Leave(days(-40), days(-3), returned_on=days(-3)),)},
        "active",
    ),
    "leave still to start": ("admitted", {"leaves": (Leave(days(5), days(30)),)}, "active"),
    "leave starting today": ("admitted", {"leaves": (Leave(TODAY, days(30)),)}, "on_leave"),
    "back today": (
        "admitted",
        {"leaves": (Leave(days(-30), days(10), returned_on=TODAY),)},
        "active",
    ),
    "deferred to a cohort not started": (
        "admitted",
        {"deferred": True, "cohort_starts_on": days(30), "cohort_ends_on": days(300)},
        "deferred",
    ),
    "deferred to a cohort now running": (
        "admitted",
        {"deferred": True, "cohort_starts_on": days(-1), "cohort_ends_on": days(300)},
        "active",
    ),
    "withdrawn": ("admitted", {"status": "withdrawn"}, "withdrawn"),
    "withdrawn while on leave": (
        "admitted",
        {"status": "withdrawn", "leaves": (Leave(days(-5), days(20)),)},
        "withdrawn",
    ),
    "declined": ("applicant", {"status": "declined"}, "declined"),
    "applying": ("applicant", {}, "applying"),
}


@pytest.mark.parametrize("name", sorted(STATES))
def test_life_state(enrollments, spec, name):
    """The engine's state of each situation, the same from `life_state` and `compute`."""
    stage, changes, expected = STATES[name]
    facts = getattr(enrollments, stage)(TODAY, **changes)
    assert life_state(facts, TODAY) == expected
    assert compute(facts, spec, TODAY).state == expected


# name -> (leaves, window start, window end, paused days)
PAUSES = {
    "no leave": ((), -100, 0, 0),
    "a leave inside the window": ((Leave(days(-50), days(-20), days(-20)),), -100, 0, 30),
    "a leave still open counts up to the end": ((Leave(days(-10), days(20)),), -100, 0, 10),
    "a leave before the window": ((Leave(days(-200), days(-150), days(-150)),), -100, 0, 0),
    "a leave across the window start": ((Leave(days(-120), days(-90), days(-90)),), -100, 0, 10),
    "two leaves": (
        (Leave(days(-60), days(-50), days(-50)), Leave(days(-30), days(-25), days(-25))),
        -100,
        0,
        15,
    ),
    "overlapping leaves count each day once": (
        (Leave(days(-60), days(-40), days(-40)), Leave(days(-50), days(-30), days(-30))),
        -100,
        0,
        30,
    ),
}


@pytest.mark.parametrize("name", sorted(PAUSES))
def test_paused_days(enrollments, name):
    """The days of leave that fall in a window, which the clocks leave out."""
    leaves, start, end, expected = PAUSES[name]
    facts = enrollments.admitted(TODAY, leaves=leaves)
    assert paused_days(facts, days(start), days(end)) == expected


def _behind(enrollments, **changes):
    """Admitted 200 days into a 300-day cohort with nothing logged: behind pace."""
    return enrollments.admitted(
        TODAY,
        cohort_starts_on=days(-200),
        cohort_ends_on=days(100),
        didactic=(),
        experiential=(),
        **changes,
    )


def test_leave_pauses_pace(enrollments, spec):
    """Behind pace at 200 of 300 days; after a 40-day leave 160 days are gone (still behind),
    after a 120-day leave only 80 (not behind)."""
    assert "pace.behind" in compute(_behind(enrollments), spec, TODAY).codes
    short = (Leave(days(-150), days(-110), days(-110)),)
    assert "pace.behind" in compute(_behind(enrollments, leaves=short), spec, TODAY).codes
    long = (Leave(days(-190), days(-70), days(-70)),)
    assert "pace.behind" not in compute(_behind(enrollments, leaves=long), spec, TODAY).codes


def _idle(enrollments, **changes):
    """Admitted 30 days ago on a running cohort, with nothing logged since."""
    return enrollments.admitted(
        TODAY,
        didactic=(),
        experiential=(),
        sessions=(),
        case_presentations=(),
        admitted_on=days(-30),
        cohort_starts_on=days(-30),
        cohort_ends_on=days(300),
        **changes,
    )


def test_leave_pauses_inactivity(enrollments, spec):
    """Nothing logged for 30 days is inactive; 30 days of which 20 were on leave is not."""
    idle = _idle(enrollments)
    assert "activity.none_recent" in compute(idle, spec, TODAY).codes
    away = (Leave(days(-25), days(-5), days(-5)),)
    rested = compute(_idle(enrollments, leaves=away), spec, TODAY)
    assert "activity.none_recent" not in rested.codes


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "withdrawn"},
        {"leaves": (Leave(days(-5), days(20)),)},
        {"leaves": (Leave(days(-40), days(-3)),)},
    ],
    ids=["withdrawn", "on leave", "on leave, return overdue"],
)
def test_withdrawn_or_paused_has_no_overdue_training_item(enrollments, spec, changes):
    """Behind pace and idle for months, yet withdrawn or on leave: no pace or inactivity item."""
    progress = compute(_behind(enrollments, **changes), spec, TODAY)
    assert not progress.codes & OVERDUE_TRAINING


def test_withdrawn_keeps_one_information_item(enrollments, spec):
    """A withdrawn enrollment shows why its steps are blocked, and nothing else to do."""
    progress = compute(_behind(enrollments, status="withdrawn"), spec, TODAY)
    assert progress.codes == {"enrollment.withdrawn"}
    assert progress.blocking_items == ()


def test_leave_shows_its_end_to_the_trainee(enrollments, spec):
    """On leave: the trainee sees since when and until when; nothing is overdue yet."""
    progress = compute(_behind(enrollments, leaves=(Leave(days(-5), days(20), id=7),)), spec, TODAY)
    item = progress.item("leave.current", "7")
    assert item is not None and item.actor == "trainee"
    assert "27 May 2025" in item.message and "21 June 2025" in item.message
    assert "leave.return_overdue" not in progress.codes


def test_overdue_return_is_flagged_for_staff(enrollments, spec):
    """Past the expected return with no return recorded: a warning for staff, dated."""
    progress = compute(
        _behind(enrollments, leaves=(Leave(days(-40), days(-3), id=7),)), spec, TODAY
    )
    item = progress.item("leave.return_overdue", "7")
    assert item is not None
    assert (item.actor, item.severity) == ("staff", "warning")
    assert item.due_on == days(-3) and item.days_waiting(TODAY) == 3
    assert progress.next_due_on == days(-3)


def test_return_recorded_clears_the_flag(enrollments, spec):
    """Once staff record the return the leave items go, and the clocks run again."""
    back = (Leave(days(-40), days(-3), returned_on=days(-1), id=7),)
    progress = compute(_behind(enrollments, leaves=back), spec, TODAY)
    assert not progress.codes & {"leave.current", "leave.return_overdue"}
    assert "pace.behind" in progress.codes


def test_leave_after_training_goes_on_the_final_assessment(enrollments, spec):
    """With steps 5-7 done the leave shows on step 8; after the certificate, on step 9."""
    leave = (Leave(days(-5), days(20)),)
    trained = compute(enrollments.trained(TODAY, leaves=leave), spec, TODAY)
    assert trained.item("leave.current", days(-5).isoformat()).step == 8
    certified = compute(
        enrollments.certified(TODAY, leaves=leave, certificate=Certificate(days(-30))),
        spec,
        TODAY,
    )
    assert certified.item("leave.current", days(-5).isoformat()).step == 9


def test_a_leave_must_end_after_it_starts():
    """A leave whose expected return is not after its start is refused as a fact."""
    with pytest.raises(ValueError):
        Leave(TODAY, TODAY)
    with pytest.raises(ValueError):
        Leave(TODAY, days(5), returned_on=days(-1))
